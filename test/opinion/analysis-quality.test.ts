/**
 * Issue 11: the behaviours the opinion analysis must hold on real posts, one example each
 * (the evaluation set in eval.test.ts measures them at scale).
 */
import { analyseItem, type ItemAnalysis } from '../../src/opinion/analysis/analyse.js';
import { extractCasualties, parseAmount } from '../../src/opinion/analysis/casualties.js';
import { compileLexicons, loadShippedLexicons, segmenterWords } from '../../src/opinion/analysis/lexicon.js';
import { DuplicateIndex } from '../../src/opinion/analysis/minhash.js';
import { indexWith } from '../support/clusters.js';
import { suggestSeverity } from '../../src/opinion/analysis/rules.js';
import { addWords } from '../../src/text/segment.js';

const shipped = loadShippedLexicons();
addWords(segmenterWords(shipped));
const lx = compileLexicons(shipped);
const an = (content: string, title?: string): ItemAnalysis =>
  analyseItem({ content, title, channel: 'weibo', source: 'test' }, lx);

describe('负面 as an opinion center means it', () => {
  it.each([
    '学校到现在没有任何说法！',
    '街道办的人在哪里？',
    '补偿标准太低了，根本买不起安置房',
    '饭菜里吃出了虫子',
    '有没有人管管，小区停水三天了',
    '外卖送了两个小时，饭都凉了',
    '酒店隔音太差，一晚上没睡好',
    '呵呵，办事效率可真高啊',
    '我真的会谢',
    '好烦啊😭',
  ])('%s → negative, with the words that fired', (text) => {
    const s = an(text).classification.sentiment;
    expect(s.label).toBe('negative');
    expect(s.triggers.some((t) => t.value < 0 || t.rule === '表情')).toBe(true);
  });

  it('a rhetorical question is not flipped by its negation', () => {
    expect(an('心情是不是很好？').classification.sentiment.label).not.toBe('negative');
    const s = an('谁不喜欢这样干净的街道呢？').classification.sentiment;
    expect(s.label).toBe('positive');
    expect(s.triggers.find((t) => t.word === '喜欢')?.rule).toBe('反问');
  });

  it('what follows 但是 decides a mixed review', () => {
    const s = an('位置还不错，但是房间太脏了，隔音也差').classification.sentiment;
    expect(s.label).toBe('negative');
    expect(s.triggers.some((t) => t.rule === '转折后')).toBe(true);
  });

  it('information requests and chatter stay neutral', () => {
    for (const t of ['请问居住证过期了去哪里续签？', '口罩哪里买', '加油', '雪莲果一般怎么吃啊'])
      expect(an(t).classification.sentiment.label).toBe('neutral');
  });

  it('emoji and 表情 codes count, though normalisation strips them from the text', () => {
    expect(an('服了[怒][怒]').classification.sentiment.label).toBe('negative');
    expect(an('今天的活动👍👍').classification.sentiment.label).toBe('positive');
  });
});

describe('near-duplicates mean copies', () => {
  const copies = (a: string, b: string) => {
    const x = an(a);
    const y = an(b);
    const idx = new DuplicateIndex<string>(0.6, 3600_000);
    idx.add('a', x.minhash, 0, x.dupThreshold, x.shingleCount);
    return idx.nearest(y.minhash, 1, y.dupThreshold, y.shingleCount) !== null;
  };

  it('different short posts sharing a word stay apart', () => {
    expect(copies('雪莲菌怎么用', '雪莲果一般怎么吃啊')).toBe(false);
    expect(copies('手机怎么充值话费', '手机怎么充值流量')).toBe(false);
    expect(copies('社保卡丢了怎么补办', '社保卡怎么激活')).toBe(false);
  });

  it('reposts, quoted copies and lightly edited copies merge', () => {
    const original = '青石镇中心小学三十多名学生午餐后呕吐腹痛，已送县医院治疗，家长都在医院门口等消息';
    expect(copies(original, `转发微博 //@城市观察: 太可怕了 //@路人甲: ${original}`)).toBe(true);
    expect(copies(original, original.replace('已送', '已经送到').replace('家长', '孩子家长'))).toBe(true);
    expect(copies(original, `扩散！${original}，求关注`)).toBe(true);
  });

  it('too short to tell: no signature at all', () => {
    expect(an('加油').minhash[0]).toBe(0xffffffff);
  });
});

describe('clusters are stories', () => {
  const STORY_CLUSTERING = { threshold: 0.15, windowMs: 3600_000 * 48, maxTerms: 60 };

  it('one shared generic word does not glue two posts', () => {
    const idx = indexWith(an('晚上看球'), STORY_CLUSTERING);
    expect(idx.best(an('晚上散步的人越来越多').vector, 0)).toBeNull();
  });

  it('posts telling one story in different words join; another place stays apart', () => {
    const idx = indexWith(an('青石镇化工厂爆炸了，声音特别大'), STORY_CLUSTERING);
    const b = an('青石镇化工厂突发爆炸，现场浓烟滚滚，消防已赶到');
    expect(idx.best(b.vector, 0, b.places)?.id).toBe(1);
    const c = an('白沙镇化工厂突发爆炸，现场浓烟滚滚');
    expect(idx.best(c.vector, 0, c.places)).toBeNull();
  });

  it('hotline boilerplate does not make two matters one', () => {
    const idx = indexWith(
      an('市民来电反映：龙泉街道工地晚上还在施工。诉求：请相关部门尽快处理并给予答复。'),
      STORY_CLUSTERING,
    );
    const b = an('市民来电反映：龙泉街道医保报销跑了三趟。诉求：请相关部门尽快处理并给予答复。');
    expect(idx.best(b.vector, 0, b.places)).toBeNull();
  });
});

describe('emergency signals, casualties and severity', () => {
  it.each([
    ['内蒙古宁城71人集体食物中毒', '公共卫生'],
    ['客车农用车相撞致6人亡', '灾害事故'],
    ['大货车高速侧翻，司机被困', '灾害事故'],
    ['商场发生恐怖袭击，袭击者引爆爆炸物', '社会安全'],
    ['化工厂氯气泄漏，周边群众紧急疏散', '灾害事故'],
    ['县城发生4.8级地震，震源深度10千米', '灾害事故'],
    ['一男子持刀行凶致3人受伤', '社会安全'],
    ['出租屋失火，一人遇难', '灾害事故'],
  ])('%s → %s', (text, signal) => {
    const a = an(text);
    expect(a.signal).toBe(signal);
    expect(a.classification.signals[0]!.triggers.length).toBeGreaterThan(0);
  });

  it('figurative uses raise nothing', () => {
    for (const t of [
      '这条视频点击量爆炸了',
      '打游戏中毒太深',
      '股市地震，今天又跌了',
      '开发商推出新款手机游戏',
    ])
      expect(an(t).signal).toBeNull();
  });

  it('one incident word alone is a figure of speech; a second incident word or figures of harm make it a report', () => {
    for (const t of ['气死我了，简直要爆炸了', '吃完胃里着火一样', '盼着来场暴雨', '前面好像追尾了'])
      expect(an(t).signal).toBeNull();
    expect(an('化工厂爆炸了，声音特别大').signal).toBe('灾害事故');
    expect(an('前面两车追尾，3人受伤').signal).toBe('灾害事故');
    expect(an('山林着火，当地组织数百人扑救').signal).toBe('灾害事故');
    // Headlines: a reporting verb or the thing that burned or fell is enough.
    for (const t of ['江苏响水发生爆炸', '台风山竹登陆广东', '青石镇一居民楼起火', '长江大桥坍塌'])
      expect(an(t).signal).toBe('灾害事故');
    // Drills and lessons name incidents that did not happen, unless someone was hurt in them.
    for (const t of [
      '开展燃气泄漏应急演练',
      '消防知识进校园，教孩子如何应对火灾',
      '防汛演练：模拟河堤决堤，转移群众200人',
    ])
      expect(an(t).signal).toBeNull();
    expect(an('消防演练中发生爆炸，2人受伤').signal).toBe('灾害事故');
    // A term that names the incident unmistakably needs nothing else.
    expect(an('小区发生燃气爆炸').signal).toBe('灾害事故');
  });

  // 地震 is as often a shake-up (娱乐圈大地震, 人事地震) as a quake: it needs backing like 爆炸.
  it.each([
    '娱乐圈大地震，又一位顶流塌房',
    '公司人事大地震，财务总监被免职',
    '股市大地震，开盘就跌停',
    '足坛地震！国家队主帅下课',
    '一场管理层地震让这家企业元气大伤',
    '政坛地震的消息刷屏了',
    '行业大地震来了，谁能扛过去',
    '灾难片里的地震场面拍得很假',
    '舞台灯光好晃眼，地震般的低音炮',
    '网传明天要地震，纯属谣言',
  ])('figurative or unreported 地震 raises nothing: %s', (text) => {
    expect(an(text).signal).toBeNull();
  });

  it.each([
    '地震了！好晃',
    '刚才是不是地震了',
    '楼在晃，地震了吗',
    '昨晚青石县发生4.8级地震',
    '震感强烈',
    '震中位于山区，震源深度8千米',
    '半夜被地震晃醒了',
    '地震！桌子都在晃动',
    '地震造成两人受伤',
    '地震导致多间民房倒塌',
  ])('a felt, reported or harmful quake is 灾害事故: %s', (text) => {
    expect(an(text).signal).toBe('灾害事故');
  });

  it('other decisive words in set figures raise nothing', () => {
    for (const t of [
      '别对我道德绑架',
      '这条视频引爆全网',
      '看完结局情绪决堤',
      '颜值泥石流',
      '流量劫持太可恶',
    ])
      expect(an(t).signal).toBeNull();
    expect(an('一名男童遭绑架，警方已解救').signal).toBe('社会安全');
  });

  it('counts poisoned, hospitalised and evacuated people, in Chinese numerals too', () => {
    expect(extractCasualties('内蒙古宁城71人集体食物中毒')).toMatchObject({ sick: 71 });
    expect(extractCasualties('客车农用车相撞致6人亡')).toMatchObject({ deaths: 6 });
    expect(extractCasualties('三十多名学生午餐后出现呕吐腹痛')).toMatchObject({ sick: 30 });
    expect(extractCasualties('周边五百余名群众紧急疏散')).toMatchObject({ evacuated: 500 });
    expect(extractCasualties('转移群众一万余人')).toMatchObject({ evacuated: 10000 });
    expect(extractCasualties('造成十二人死亡、3人失联，7死5伤')).toMatchObject({
      deaths: 12,
      missing: 3,
      injuries: 5,
    });
    expect(extractCasualties('一名男子持刀砍伤路人').injuries).toBe(0);
    expect(extractCasualties('拨打12345热线').deaths).toBe(0);
    expect(parseAmount('2万')).toBe(20000);
  });

  it('areas need context: one ambiguous word does not decide', () => {
    expect(an('开发商推出新款手机游戏').classification.areas).toEqual([]);
    expect(an('我们周末去学校打球').classification.areas).toEqual([]);
    expect(an('学校食堂的饭菜里吃出了虫子').classification.areas.map((a) => a.label)).toContain('就学');
  });

  it('severity follows the national grading; schools and hazardous chemicals weigh more', () => {
    const base = { deaths: 0, injuries: 0, missing: 0, itemsCount: 5 };
    const suggested = (a: ItemAnalysis) =>
      suggestSeverity({
        ...base,
        ...a.classification.casualties,
        ...a.classification.context,
        signal: a.signal,
      });
    const poison = an('青石镇中心小学30名学生食物中毒，已送医');
    expect(suggested(poison)).toBe('major');
    const leak = an('化工厂氯气泄漏，周边500余名群众紧急疏散');
    expect(suggested(leak)).toBe('major');
    expect(suggestSeverity({ ...base, deaths: 3 })).toBe('large');
    expect(suggestSeverity({ ...base, deaths: 30 })).toBe('extraordinary');
    expect(suggestSeverity({ ...base, sick: 12 })).toBe('general');
  });
});
