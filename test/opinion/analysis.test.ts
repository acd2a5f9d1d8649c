import { analyseItem } from '../../src/opinion/analysis/analyse.js';
import { classify } from '../../src/opinion/analysis/classify.js';
import { parseChineseNumber } from '../../src/text/numbers.js';
import {
  applyOverrides,
  compileLexicons,
  loadShippedLexicons,
  segmenterWords,
} from '../../src/opinion/analysis/lexicon.js';
import {
  DuplicateIndex,
  fromBytes,
  minhash,
  similarity,
  toBytes,
} from '../../src/opinion/analysis/minhash.js';
import { ClusterIndex, itemVector } from '../../src/opinion/analysis/cluster.js';
import {
  DEFAULT_RULES,
  evaluateWarnings,
  mergeRules,
  shouldPromote,
  suggestSeverity,
  trendOf,
  decay,
} from '../../src/opinion/analysis/rules.js';
import { matchesScheme, type SchemeRule } from '../../src/opinion/analysis/schemes.js';
import { extractPlaces } from '../../src/opinion/analysis/places.js';
import { addWords, normalize, cut, contentTokens } from '../../src/text/index.js';
import { crawlerDelivery } from '../support/opinion-fixtures.js';
import { indexWith } from '../support/clusters.js';

const shipped = loadShippedLexicons();
addWords(segmenterWords(shipped));
const lx = compileLexicons(shipped);
const cls = (text: string) => {
  const n = normalize(text);
  return classify(lx, n, cut(n));
};

describe('民生 area classification', () => {
  it.each([
    ['孩子幼升小学位不足，划片入学不合理', '就学'],
    ['县医院急诊排队四小时，挂号难', '就医'],
    ['公租房分配不透明，保障房迟迟不交房', '住房保障'],
    ['工地脚手架坍塌，安全隐患没人管', '安全生产'],
    ['暴雨导致城市内涝，低洼地区群众转移安置', '防灾减灾救灾'],
    ['学校食堂发生食物中毒，市场监管局介入', '食品药品安全'],
    ['社区长者食堂开业，老年人吃饭更方便', '养老服务'],
    ['征地拆迁补偿款迟迟不到位，村民讨说法', '征收补偿'],
    ['化工厂夜间偷排废水，河道恶臭', '环境保护'],
  ])('%s → %s with its trigger words', (text, area) => {
    const c = cls(text);
    const hit = c.areas.find((a) => a.label === area);
    expect(hit).toBeDefined();
    expect(hit!.triggers.length).toBeGreaterThan(0);
    for (const w of hit!.triggers) expect(normalize(text)).toContain(w);
  });

  it('leaves chatter without an area', () => {
    expect(cls('今天天气真好，和朋友去湖边骑车').areas).toEqual([]);
  });
});

describe('突发事件 signals and casualties', () => {
  it('flags an explosion with casualties and reads the figures', () => {
    const c = cls('化工厂爆炸，造成3人死亡、十二人受伤，两人失联');
    expect(c.signals[0]!.label).toBe('灾害事故');
    expect(c.signals[0]!.triggers).toContain('爆炸');
    expect(c.casualties).toMatchObject({ deaths: 3, injuries: 12, missing: 2 });
    expect(c.casualties.evidence).toContain('3人死亡');
  });

  it('reads 3死5伤 and 死亡3人', () => {
    expect(cls('爆炸致3死5伤').casualties).toMatchObject({ deaths: 3, injuries: 5 });
    expect(cls('事故死亡3人').casualties.deaths).toBe(3);
  });

  it('does not raise a signal for figurative use', () => {
    expect(cls('这条信息爆炸性地传开了，人气爆炸').signals).toEqual([]);
    expect(cls('第3名同学受伤的膝盖好了').casualties.injuries).toBe(0);
  });

  it('recognises public-health and social-safety signals', () => {
    expect(cls('学校发生集体食物中毒，20多名学生呕吐送医').signals[0]!.label).toBe('公共卫生');
    expect(cls('商场门口发生持刀伤人事件，民警已控制嫌疑人').signals[0]!.label).toBe('社会安全');
  });

  it('parses Chinese numerals', () => {
    expect([parseChineseNumber('三'), parseChineseNumber('十二'), parseChineseNumber('二十三')]).toEqual([
      3, 12, 23,
    ]);
    expect(parseChineseNumber('两百')).toBe(200);
    expect([parseChineseNumber('二〇一六'), parseChineseNumber('三十一'), parseChineseNumber('多')]).toEqual([
      2016,
      31,
      NaN,
    ]);
  });
});

describe('sentiment with negation', () => {
  it('negative complaints, positive praise, neutral news', () => {
    expect(cls('教育局推诿扯皮，家长非常愤怒').sentiment.label).toBe('negative');
    expect(cls('社区服务很贴心，给工作人员点赞').sentiment.label).toBe('positive');
    expect(cls('区政府召开常务会议研究部署相关工作').sentiment.label).toBe('neutral');
  });

  it('negation flips a positive word: 并非满意, 没有及时, 不太方便', () => {
    expect(cls('对处理结果不满意').sentiment.label).toBe('negative');
    for (const text of ['并非满意', '没有及时处理', '办事不太方便']) {
      const s = cls(text).sentiment;
      expect(s.label).toBe('negative');
      expect(s.triggers.some((t) => t.negatedBy)).toBe(true);
    }
  });

  it('negated worry is not negative: 不担心', () => {
    const s = cls('大家不担心了').sentiment;
    expect(s.label).not.toBe('negative');
    expect(s.triggers[0]).toMatchObject({ word: '担心', negatedBy: '不' });
  });

  it('blockers do not negate: 不少群众点赞', () => {
    expect(cls('不少群众点赞').sentiment.label).toBe('positive');
  });

  it('negation stops at a clause break', () => {
    const s = cls('虽然没有排队，满意');
    expect(s.sentiment.label).toBe('positive');
  });

  it('single-character words count only as whole words', () => {
    expect(cls('今天出差').sentiment.triggers).toEqual([]);
  });
});

describe('lexicon overrides', () => {
  it('adds and removes words', () => {
    const edited = compileLexicons(
      applyOverrides(shipped, [
        { lexicon: 'area', label: '就医', word: '核磁共振', weight: 1, removed: false },
        { lexicon: 'sentiment', label: 'negative', word: '投诉', weight: 1, removed: true },
      ]),
    );
    const n = normalize('核磁共振排到下个月');
    expect(classify(edited, n).areas.map((a) => a.label)).toContain('就医');
    expect(classify(edited, normalize('我要投诉')).sentiment.label).toBe('neutral');
    // The shipped lexicons are untouched.
    expect(cls('我要投诉').sentiment.label).toBe('negative');
  });
});

describe('near-duplicates (MinHash)', () => {
  const sig = (t: string) => minhash(contentTokens(cut(normalize(t))));
  const original =
    '城南实验小学今年学位又不够，孩子被调剂到十公里外，每天上学要坐一个小时车，教育局推诿扯皮，太失望了';
  const repost =
    '转发 城南实验小学学位不够，孩子被调剂到十公里外，每天上学要坐一个小时的车，教育局推诿扯皮，太失望了！';
  const other = '城南新区的家长们，实验小学学位不足被调剂的集合一下，教育局一直没有回应，我们要一起维权';

  it('scores a repost high and a different post on the same topic low', () => {
    expect(similarity(sig(original), sig(repost))).toBeGreaterThanOrEqual(0.6);
    expect(similarity(sig(original), sig(other))).toBeLessThan(0.6);
  });

  it('finds the earlier copy within the window only', () => {
    const idx = new DuplicateIndex<string>(0.6, 3600_000);
    idx.add('a', sig(original), 0);
    expect(idx.nearest(sig(repost), 60_000)?.ref).toBe('a');
    expect(idx.nearest(sig(repost), 7200_000)).toBeNull();
    expect(idx.nearest(sig(other), 60_000)).toBeNull();
  });

  it('round-trips through bytes', () => {
    const s = sig(original);
    expect(fromBytes(toBytes(s))).toEqual(s);
  });
});

describe('online clustering of the crawler delivery', () => {
  it('forms one cluster per incident and keeps chatter apart', () => {
    const items = crawlerDelivery();
    const ci = new ClusterIndex();
    const byIncident = new Map<string, Set<number>>();
    let next = 1;
    for (const it of items) {
      const a = analyseItem(it, lx);
      const at = it.minutes * 60_000;
      const best = ci.best(a.vector, at);
      let id: number;
      if (best) {
        id = best.id;
        ci.addItem(id, a.vector, at);
      } else {
        id = next++;
        ci.put({ id, terms: new Map(a.vector), firstSeen: at, lastSeen: at, items: 1 });
      }
      const set = byIncident.get(it.incident) ?? new Set();
      set.add(id);
      byIncident.set(it.incident, set);
    }
    for (const incident of ['explosion', 'school', 'hospital', 'elderly']) {
      expect(byIncident.get(incident)!.size).toBe(1);
    }
    const incidentClusters = new Set(
      ['explosion', 'school', 'hospital', 'elderly'].map((i) => [...byIncident.get(i)!][0]),
    );
    for (const c of byIncident.get('chatter')!) expect(incidentClusters.has(c)).toBe(false);
  });

  it('does not join clusters outside the time window', () => {
    const ci = new ClusterIndex({ threshold: 0.3, windowMs: 3600_000, maxTerms: 60 });
    const v = itemVector([
      { word: '青石镇', weight: 10 },
      { word: '爆炸', weight: 8 },
    ]);
    ci.put({ id: 1, terms: new Map(v), firstSeen: 0, lastSeen: 0, items: 1 });
    expect(ci.best(v, 1000)?.id).toBe(1);
    expect(ci.best(v, 3 * 3600_000)).toBeNull();
  });
});

describe('centroid term change tracking', () => {
  const vec = (...words: string[]) => new Map(words.map((w, i) => [w, 1 / (i + 1)]));
  /** Applies the taken changes to what the database holds, as the store would. */
  const apply = (stored: Map<number, Map<string, number>>, ci: ClusterIndex) => {
    const changes = ci.takeTermChanges();
    for (const [id, { set, removed }] of changes) {
      const terms = stored.get(id) ?? new Map<string, number>();
      for (const [w, x] of set) terms.set(w, x);
      for (const w of removed) terms.delete(w);
      stored.set(id, terms);
    }
    return changes;
  };

  it('reports exactly what makes the stored centroids equal the ones in memory', () => {
    const ci = new ClusterIndex({ threshold: 0.1, windowMs: 3600_000, maxTerms: 4 });
    const stored = new Map<number, Map<string, number>>();
    ci.put({ id: 1, terms: vec('甲', '乙'), firstSeen: 0, lastSeen: 0, items: 0 }, true);
    stored.set(1, vec('甲', '乙'));
    expect(ci.takeTermChanges().size).toBe(0); // loaded from the store: nothing to write
    ci.put({ id: 2, terms: vec('丙', '丁', '#area:就学'), firstSeen: 0, lastSeen: 0, items: 0 });
    expect(apply(stored, ci).get(2)).toEqual({
      set: [
        ['丙', 1],
        ['丁', 0.5],
        ['#area:就学', 1 / 3],
      ],
      removed: [],
    });
    ci.addItem(1, vec('乙', '戊'), 10);
    ci.addItem(2, new Map(), 10, 0); // a copy leaves the centroid alone
    const changes = apply(stored, ci);
    expect([...changes.keys()]).toEqual([1]);
    expect(changes.get(1)!.set.map(([w]) => w)).toEqual(['乙', '戊']);
    // Growing past 1.5 × maxTerms trims the lightest terms: they are reported removed.
    ci.addItem(1, vec('己', '庚', '辛'), 20);
    ci.addItem(1, vec('甲', '壬'), 30);
    const trimmed = apply(stored, ci);
    expect(trimmed.get(1)!.removed.length).toBeGreaterThan(0);
    expect(ci.clusters.get(1)!.terms.size).toBe(4);
    for (const [id, c] of ci.clusters) expect(stored.get(id)).toEqual(c.terms);
    // A term trimmed and then added again is set, not removed.
    const gone = trimmed.get(1)!.removed[0]!;
    ci.addItem(1, vec(gone, '甲'), 40);
    expect(
      apply(stored, ci)
        .get(1)!
        .set.map(([w]) => w),
    ).toContain(gone);
    for (const [id, c] of ci.clusters) expect(stored.get(id)).toEqual(c.terms);
    // Changes of a cluster pruned before they were taken are still handed out.
    ci.addItem(1, vec('甲'), 60);
    apply(stored, ci);
    ci.addItem(2, vec('癸'), 50);
    expect(ci.prune(55)).toEqual([2]);
    expect(apply(stored, ci).get(2)!.set).toEqual([['癸', 1]]);
    expect(ci.takeTermChanges().size).toBe(0);
  });
});

describe('bounded cluster memory', () => {
  it('forgets the clusters seen longest ago, which no item joins any more', () => {
    const ci = new ClusterIndex({ threshold: 0.1, windowMs: 3600_000, maxTerms: 60 });
    const story = (i: number) =>
      new Map([
        [`地点${i}`, 0.6],
        [`事件${i}`, 0.6],
        ['投诉', 0.5],
      ]);
    for (let i = 1; i <= 5; i++)
      ci.put({ id: i, terms: story(i), firstSeen: i * 10, lastSeen: i * 10, items: 1 });
    ci.takeTermChanges();
    ci.addItem(1, story(1), 60); // seen again: now the most recent
    expect(ci.evictOldest(3).sort()).toEqual([2, 3]);
    expect([...ci.clusters.keys()].sort()).toEqual([1, 4, 5]);
    expect(ci.best(story(2), 60)).toBeNull();
    expect(ci.best(story(1), 60)?.id).toBe(1);
    // Pending centroid changes of a forgotten cluster are still handed out (none here but 1's).
    expect([...ci.takeTermChanges().keys()]).toEqual([1]);
    expect(ci.evictOldest(3)).toEqual([]);
  });
});

describe('early-warning rules', () => {
  const base = {
    itemsCount: 5,
    negativeCount: 4,
    categories: ['就学'],
    emergencySignal: null,
    recentCount: 5,
    baselineCount: 0,
    deaths: 0,
    injuries: 0,
    missing: 0,
  };

  it('negative sentiment in a key area', () => {
    const w = evaluateWarnings(base, DEFAULT_RULES);
    expect(w.map((x) => x.rule)).toEqual(['negative_area']);
    expect(w[0]!.reasons.join()).toContain('80%');
    const notKey = mergeRules({ negativeArea: { areas: ['就医'] } });
    expect(evaluateWarnings(base, notKey)).toEqual([]);
  });

  it('emergency signal is critical and names casualties', () => {
    const w = evaluateWarnings(
      { ...base, emergencySignal: '灾害事故', deaths: 3, negativeCount: 0 },
      DEFAULT_RULES,
    );
    expect(w).toEqual([expect.objectContaining({ rule: 'emergency', severity: 'critical' })]);
    expect(w[0]!.reasons).toContain('死亡 3 人');
  });

  it('volume spike against the recent baseline', () => {
    const quiet = { ...base, negativeCount: 0, recentCount: 30, baselineCount: 24 * 20 };
    expect(evaluateWarnings(quiet, DEFAULT_RULES)).toEqual([]);
    const spike = { ...quiet, baselineCount: 24 * 2 };
    expect(evaluateWarnings(spike, DEFAULT_RULES).map((w) => w.rule)).toEqual(['spike']);
  });

  it('suggests severity from casualties', () => {
    const s = (deaths: number, injuries = 0) =>
      suggestSeverity({ deaths, injuries, missing: 0, itemsCount: 1 });
    expect([s(0), s(3), s(10), s(30), s(0, 60)]).toEqual([
      'general',
      'large',
      'major',
      'extraordinary',
      'major',
    ]);
  });

  it('promotes clusters by volume and authors, emergencies at once', () => {
    expect(shouldPromote({ itemsCount: 3, uniqueAuthors: 1, emergencySignal: null }, DEFAULT_RULES)).toBe(
      false,
    );
    expect(shouldPromote({ itemsCount: 3, uniqueAuthors: 2, emergencySignal: null }, DEFAULT_RULES)).toBe(
      true,
    );
    expect(
      shouldPromote({ itemsCount: 1, uniqueAuthors: 1, emergencySignal: '灾害事故' }, DEFAULT_RULES),
    ).toBe(true);
  });

  it('trend and decay', () => {
    const endOfHour = 3600_000 - 1;
    expect(trendOf([1, 1, 1, 1, 1, 6], endOfHour)).toBe('rising');
    expect(trendOf([6, 6, 6, 1, 1, 1], endOfHour)).toBe('falling');
    expect(trendOf([2, 2, 2, 2, 2, 2], endOfHour)).toBe('flat');
    expect(decay(8, 0, 6 * 3600_000, 6)).toBeCloseTo(4);
  });

  it('merges stored settings, ignoring bad values', () => {
    const r = mergeRules({ promoteMinItems: 5, spike: { factor: 'x', minItems: 50 }, nonsense: 1 });
    expect(r.promoteMinItems).toBe(5);
    expect(r.spike.minItems).toBe(50);
    expect(r.spike.factor).toBe(DEFAULT_RULES.spike.factor);
  });
});

describe('监测方案 matching', () => {
  const scheme: SchemeRule = {
    id: 1,
    regionWords: ['青石镇', '城南'],
    subjectWords: ['爆炸', '学位'],
    mustWords: [],
    excludeWords: ['演习'],
    channels: [],
    sources: [],
    repost: 'all',
  };
  const subject = (text: string, extra: Partial<{ channel: string; isRepost: boolean }> = {}) => ({
    text,
    channel: 'weibo',
    source: 's',
    isRepost: false,
    ...extra,
  });

  it('needs a region word and a subject word, and no excluded word', () => {
    expect(matchesScheme(scheme, subject('青石镇化工厂爆炸'))).toBe(true);
    expect(matchesScheme(scheme, subject('化工厂爆炸'))).toBe(false);
    expect(matchesScheme(scheme, subject('青石镇爆炸演习'))).toBe(false);
  });

  it('applies channel and original/repost filters', () => {
    expect(matchesScheme({ ...scheme, channels: ['news'] }, subject('青石镇爆炸'))).toBe(false);
    expect(matchesScheme({ ...scheme, repost: 'original' }, subject('青石镇爆炸', { isRepost: true }))).toBe(
      false,
    );
    expect(matchesScheme({ ...scheme, repost: 'repost' }, subject('青石镇爆炸', { isRepost: true }))).toBe(
      true,
    );
  });
});

describe('places', () => {
  const places = (text: string, known: string[] = []) => extractPlaces(cut(normalize(text)), new Set(known));

  it('finds named places, known local places and jieba-split ones, not generic words', () => {
    expect(places('河西街道和白沙镇的居民反映')).toEqual(expect.arrayContaining(['河西街道']));
    expect(places('青石镇化工厂爆炸', ['青石镇'])).toEqual(['青石镇']);
    expect(places('小区和社区、城镇和乡村')).toEqual([]);
  });

  it('keeps the same incident type in two places apart', () => {
    const a = analyseItem(
      { content: '白沙镇化工厂发生爆炸，已造成3人死亡', channel: 'news', source: 's' },
      lx,
    );
    const b = analyseItem(
      { content: '龙泉镇化工厂发生爆炸，已造成2人死亡', channel: 'news', source: 's' },
      lx,
    );
    expect(a.places).not.toEqual(b.places);
    const ci = indexWith(a);
    expect(ci.best(b.vector, 0)).not.toBeNull();
    expect(ci.best(b.vector, 0, b.places)).toBeNull();
  });
});
