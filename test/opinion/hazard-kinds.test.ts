/**
 * Incident kinds live in the lexicon (the `kinds` of data/lexicons/emergency.json and the kind an
 * analyst gives a 突发 word in 词库调整): the lookup, the loader's checks, the override path and
 * the input schema, as plain functions.
 */
import { classify } from '../../src/opinion/analysis/classify.js';
import { hazardKinds } from '../../src/opinion/analysis/hazards.js';
import {
  applyOverrides,
  compileLexicons,
  kindsOf,
  loadShippedLexicons,
  type HazardKind,
  type LexiconOverride,
} from '../../src/opinion/analysis/lexicon.js';
import { lexiconSchema } from '../../src/opinion/config/lexicon.js';
import { normalize } from '../../src/text/normalize.js';

const shipped = loadShippedLexicons();

describe('hazardKinds', () => {
  const kindOf = new Map<string, HazardKind>([
    ['洪水', 'flood'],
    ['暴雨', 'flood'],
    ['爆炸', 'explosion'],
    ['火灾', 'fire'],
    ['透水', 'mine'],
  ]);
  it.each<[string, string[], HazardKind[]]>([
    ['no kind word', ['学校', '食堂'], []],
    ['one kind, several words', ['暴雨', '致', '洪水'], ['flood']],
    ['most mentioned first', ['爆炸', '火灾', '火灾'], ['fire', 'explosion']],
    ['a tie keeps the order of first mention', ['爆炸', '火灾'], ['explosion', 'fire']],
    ['at most two', ['透水', '透水', '爆炸', '火灾', '暴雨', '暴雨'], ['mine', 'flood']],
    ['whole tokens only', ['洪水灾害', '大爆炸案'], []],
  ])('%s', (_name, tokens, expected) => {
    expect(hazardKinds(kindOf, tokens)).toEqual(expected);
  });
});

describe('kindsOf (the kinds section of emergency.json)', () => {
  it.each<[string, Record<string, string[]>, Record<string, HazardKind> | RegExp]>([
    [
      'word → kind',
      { flood: ['洪水'], fire: ['火灾', '山火'] },
      { 洪水: 'flood', 火灾: 'fire', 山火: 'fire' },
    ],
    ['lower-cased like every lexicon word', { epidemic: ['COVID'] }, { covid: 'epidemic' }],
    ['a word listed twice under one kind', { flood: ['洪水', '洪水'] }, { 洪水: 'flood' }],
    ['an unknown kind throws', { tsunami: ['海啸'] }, /unknown incident kind tsunami/],
    ['a word under two kinds throws', { flood: ['淹没'], water: ['淹没'] }, /淹没 is both flood and water/],
  ])('%s', (_name, groups, expected) => {
    if (expected instanceof RegExp) expect(() => kindsOf(groups)).toThrow(expected);
    else expect(kindsOf(groups)).toEqual(expected);
  });
});

describe('the shipped kinds', () => {
  const signalTerms = new Set(Object.values(shipped.signals).flatMap((t) => Object.keys(t)));

  it('are signal terms, but for two rain words that would raise weather forecasts', () => {
    const kindOnly = Object.keys(shipped.kinds).filter((w) => !signalTerms.has(w));
    expect(kindOnly.sort()).toEqual(['汛情', '降雨'].sort());
  });

  it('keep 降雨 and 汛情 out of the signals: as weak terms they would raise a forecast with 暴雨', () => {
    const forecasts = ['气象台发布暴雨预警，预计明天降雨量50毫米', '暴雨预警：入汛以来汛情平稳'];
    const c = compileLexicons(shipped);
    for (const text of forecasts) expect(classify(c, normalize(text)).signals).toEqual([]);
    const weak = (word: string): LexiconOverride => ({
      lexicon: 'signal',
      label: '灾害事故',
      word,
      weight: 0.5,
      removed: false,
    });
    const withRain = compileLexicons(applyOverrides(shipped, [weak('降雨'), weak('汛情')]));
    for (const text of forecasts)
      expect(classify(withRain, normalize(text)).signals.map((s) => s.label)).toEqual(['灾害事故']);
  });

  it('are compiled into the lookup the analysis uses', () => {
    const c = compileLexicons(shipped);
    expect(c.kindOf.get('洪水')).toBe('flood');
    expect(c.kindOf.get('降雨')).toBe('flood');
    expect(c.kindOf.get('学校')).toBeUndefined();
  });
});

describe('lexicon overrides and kinds', () => {
  const signal = (word: string, o: Partial<LexiconOverride> = {}): LexiconOverride => ({
    lexicon: 'signal',
    label: '灾害事故',
    word,
    weight: 1,
    removed: false,
    ...o,
  });
  it.each<[string, LexiconOverride[], string, HazardKind | undefined]>([
    ['a new signal word with a kind tells it', [signal('洪峰', { kind: 'flood' })], '洪峰', 'flood'],
    ['a new signal word without a kind tells none', [signal('洪峰')], '洪峰', undefined],
    ['the word is trimmed and lower-cased', [signal(' Flash ', { kind: 'flood' })], 'flash', 'flood'],
    ['reweighting a shipped word keeps its kind', [signal('洪水', { weight: 2 })], '洪水', 'flood'],
    ['a kind replaces the shipped one', [signal('倾覆', { kind: 'traffic' })], '倾覆', 'traffic'],
    ['a removed signal word loses its kind', [signal('洪水', { removed: true })], '洪水', undefined],
    [
      'a word removed from one signal but kept by another keeps its kind',
      [
        signal('中毒', { label: '灾害事故', weight: 1 }),
        signal('中毒', { label: '公共卫生', removed: true }),
      ],
      '中毒',
      'poisoning',
    ],
    ['removing a kind-only word drops it', [signal('降雨', { removed: true })], '降雨', undefined],
    [
      'a kind on an area word is ignored',
      [{ lexicon: 'area', label: '就医', word: '洪峰', weight: 1, removed: false, kind: 'flood' }],
      '洪峰',
      undefined,
    ],
    [
      'an unknown label is ignored, kind included',
      [signal('洪峰', { label: '不存在', kind: 'flood' })],
      '洪峰',
      undefined,
    ],
  ])('%s', (_name, overrides, word, kind) => {
    const lx = applyOverrides(shipped, overrides);
    expect(lx.kinds[word]).toBe(kind);
    expect(compileLexicons(lx).kindOf.get(word)).toBe(kind);
  });

  it('leaves the shipped lexicons untouched', () => {
    applyOverrides(shipped, [signal('洪水', { removed: true }), signal('洪峰', { kind: 'flood' })]);
    expect(shipped.kinds['洪水']).toBe('flood');
    expect(shipped.kinds['洪峰']).toBeUndefined();
  });
});

describe('lexiconSchema: kind', () => {
  const input = { lexicon: 'signal', label: '灾害事故', word: '洪峰' };
  it.each<[string, object, HazardKind | null | undefined]>([
    ['absent', {}, undefined],
    ['empty (the form’s 不变)', { kind: '' }, null],
    ['null', { kind: null }, null],
    ['a known kind', { kind: 'flood' }, 'flood'],
  ])('accepts %s', (_name, extra, kind) => {
    const r = lexiconSchema.safeParse({ ...input, ...extra });
    expect(r.success && r.data.kind).toBe(kind);
  });

  it.each<[string, object, RegExp]>([
    ['an unknown kind', { kind: 'tsunami' }, /^未知的事件类型，可选：flood（洪涝）、fire（火灾）/],
    [
      'a kind on an area word',
      { lexicon: 'area', label: '就医', kind: 'flood' },
      /^只有突发事件词可以设置事件类型$/,
    ],
    [
      'a kind on a sentiment word',
      { lexicon: 'sentiment', label: 'negative', kind: 'fire' },
      /^只有突发事件词/,
    ],
    ['a kind on a removed word', { removed: true, kind: 'flood' }, /^移除的词不再有事件类型$/],
  ])('rejects %s, naming the field', (_name, extra, message) => {
    const r = lexiconSchema.safeParse({ ...input, ...extra });
    expect(r.success).toBe(false);
    expect(r.error!.issues).toEqual([
      expect.objectContaining({ path: ['kind'], message: expect.stringMatching(message) }),
    ]);
  });
});
