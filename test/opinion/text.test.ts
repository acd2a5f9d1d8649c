import {
  cut,
  keywords,
  normalize,
  stripNoise,
  toHalfWidth,
  toSimplified,
  tokensForSearch,
  addWords,
} from '../../src/text/index.js';

describe('text normalisation', () => {
  it('turns full-width characters into half-width ones', () => {
    expect(toHalfWidth('１２３４５热线，ＡＢＣ　ok')).toBe('12345热线,ABC ok');
  });

  it('converts traditional to simplified Chinese', () => {
    expect(toSimplified('這個化工廠發生爆炸，學校附近居民擔憂')).toBe('这个化工厂发生爆炸，学校附近居民担忧');
  });

  it('strips URLs, mentions, emoji and 表情 codes for analysis', () => {
    const text = '@平安某市 快看 https://t.cn/A6xYz 学校门口积水😡😡[怒] //@张三: 转发微博';
    const s = stripNoise(text);
    expect(s).not.toMatch(/t\.cn|平安某市|😡|\[怒\]|张三|转发微博/);
    expect(s).toContain('学校门口积水');
  });

  it('normalises case, width and script together', () => {
    expect(normalize('ＡＢＣ 醫院')).toBe('abc 医院');
  });
});

describe('segmentation and keywords', () => {
  it('keeps 政务 dictionary words and digit runs whole', () => {
    const tokens = cut(normalize('某市化工厂发生爆炸，3人死亡，12345热线接到大量投诉'));
    expect(tokens).toContain('化工厂');
    expect(tokens).toContain('12345热线');
    expect(tokens).toContain('3');
  });

  it('segments inserted local terms as single tokens', () => {
    expect(cut('青石镇卫生院排队')).not.toContain('青石镇卫生院');
    addWords(['青石镇卫生院']);
    expect(cut('青石镇卫生院排队')).toContain('青石镇卫生院');
  });

  it('extracts TF-IDF keywords without stop words or punctuation', () => {
    const kw = keywords(
      '关于进一步加强保障性住房建设和管理的通知。保障性住房的分配要公开透明，保障性住房租金合理。',
      5,
    );
    expect(kw[0]).toBe('保障性住房');
    expect(kw).not.toContain('的');
    expect(kw.length).toBe(5);
  });

  it('gives search tokens that include the parts of long words', () => {
    const t = tokensForSearch('住房保障政策解读');
    expect(t).toEqual(expect.arrayContaining(['住房', '保障', '住房保障', '政策', '解读']));
    expect(t).not.toContain('，');
  });
});
