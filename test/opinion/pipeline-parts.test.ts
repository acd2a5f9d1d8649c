/**
 * The pipeline's pure parts, without a database: cluster assignment, which alerts a batch raises,
 * policy links, the centroid term log, and the array literals the bulk statements send.
 */
import { ClusterIndex } from '../../src/opinion/analysis/cluster.js';
import { DuplicateIndex, minhash } from '../../src/opinion/analysis/minhash.js';
import { DEFAULT_RULES } from '../../src/opinion/analysis/rules.js';
import { newMeta, type ClusterMeta, deriveEvent } from '../../src/opinion/cluster-state.js';
import {
  applyAssignment,
  decideCluster,
  type AssignInput,
  type DupRef,
} from '../../src/opinion/pipeline/assign.js';
import { alertsForBatch, routeDepartment, type AlertContext } from '../../src/opinion/pipeline/alerts.js';
import { linkPolicies, specificTerms, MAX_LINK_TERMS } from '../../src/opinion/pipeline/policy-links.js';
import type { Scheme } from '../../src/opinion/settings.js';
import {
  CHECKPOINT_BATCHES,
  CHECKPOINT_CLUSTERS,
  CHECKPOINT_MS,
  ClusterJournal,
  applyTermChanges,
  checkpointDue,
  decodeClusterLog,
  decodeTermLog,
} from '../../src/opinion/pipeline/cluster-log.js';
import type { TermVector } from '../../src/opinion/analysis/cluster.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 5, 1, 8);

function bigrams(s: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i + 1 < s.length; i++) out.add(s.slice(i, i + 2));
  return [...out];
}

function item(
  text: string,
  terms: Record<string, number>,
  places: string[] = [],
  signal: string | null = null,
): AssignInput {
  const sh = bigrams(text);
  return {
    minhash: minhash(sh),
    dupThreshold: 0,
    shingleCount: sh.length,
    vector: new Map(Object.entries(terms)),
    places,
    signal,
  };
}

describe('cluster assignment', () => {
  const setup = () => {
    const clusters = new ClusterIndex({ threshold: 0.15, windowMs: 48 * H, maxTerms: 60 });
    const dups = new DuplicateIndex<DupRef>(0.6, 72 * H);
    let next = 100;
    const known = new Set<number>();
    const assign = (id: number, a: AssignInput, at = T0) => {
      const d = decideCluster(a, at, clusters, dups, (c) => known.has(c));
      const cid = applyAssignment(d, id, a, at, clusters, dups, () => next++);
      known.add(cid);
      return { d, cid };
    };
    return { clusters, dups, assign, known };
  };
  const post = '青石镇化工厂夜里偷排废水，河道恶臭，希望有关部门尽快处理';

  it('starts a cluster, puts a copy in it as a duplicate and a related post as a member', () => {
    const { assign, clusters } = setup();
    const first = assign(1, item(post, { 化工厂: 0.6, 偷排: 0.6, 废水: 0.5 }, ['青石镇']));
    expect(first.d.kind).toBe('new');
    expect(first.cid).toBe(100);
    const copy = assign(2, item(`转发：${post}`, { 化工厂: 0.6, 偷排: 0.6, 废水: 0.5 }, ['青石镇']));
    expect(copy.d).toMatchObject({ kind: 'duplicate', clusterId: 100, of: { itemId: 1 } });
    // A copy leaves the centroid as it was.
    expect(clusters.clusters.get(100)!.terms.get('化工厂')).toBeCloseTo(0.6);
    const related = assign(3, item('化工厂偷排废水的事情有人管吗', { 化工厂: 0.7, 偷排: 0.7 }, ['青石镇']));
    expect(related.d).toMatchObject({ kind: 'joined', clusterId: 100 });
    expect(clusters.clusters.get(100)!.terms.get('化工厂')).toBeCloseTo(1.3);
  });

  it('decides without changing the indexes', () => {
    const { clusters, dups, assign } = setup();
    assign(1, item(post, { 化工厂: 0.6, 偷排: 0.6 }));
    const before = clusters.clusters.get(100)!.terms.get('化工厂');
    decideCluster(item(post, { 化工厂: 0.6, 偷排: 0.6 }), T0, clusters, dups, () => true);
    expect(clusters.clusters.get(100)!.terms.get('化工厂')).toBe(before);
    expect(dups.size).toBe(1);
  });

  it('keeps a template complaint naming another place apart, and a copy of a forgotten cluster is new', () => {
    const { assign, known } = setup();
    assign(1, item(post, { 化工厂: 0.6, 偷排: 0.6 }, ['青石镇']));
    const other = assign(2, item(post.replace('青石镇', '白沙镇'), { 化工厂: 0.6, 偷排: 0.6 }, ['白沙镇']));
    expect(other.d.kind).toBe('new');
    known.clear();
    expect(assign(3, item(post, { 偷排: 0.1, 别的: 0.9 }, ['青石镇'])).d.kind).not.toBe('duplicate');
  });

  it('an emergency naming no place joins a story naming one only when nearly the same, and the other way round', () => {
    const { assign } = setup();
    const national = { 化工厂: 0.6, 爆炸: 0.5, 浓烟: 0.4, 死亡: 0.3 };
    assign(1, item('江苏响水一化工厂发生爆炸，浓烟滚滚', national, ['江苏省/盐城市/响水县'], '灾害事故'));
    // 刚刚我们这边化工厂爆炸了: alike, but as likely a new local incident: its own story, its own alert.
    const local = { 化工厂: 0.6, 爆炸: 0.5, 窗户: 0.5, 刚刚: 0.4 };
    expect(assign(2, item('刚刚我们这边化工厂爆炸了', local, [], '灾害事故')).d.kind).toBe('new');
    // A placed report does not fold into the placeless local story either.
    const elsewhere = assign(
      3,
      item(
        '山西临汾一化工厂爆炸',
        { 化工厂: 0.6, 爆炸: 0.5, 死亡: 0.5, 临汾: 0.3 },
        ['山西省/临汾市'],
        '灾害事故',
      ),
    );
    expect(elsewhere.d.kind).toBe('new');
    // Nearly the same words: the same incident.
    expect(assign(4, item('化工厂发生爆炸，浓烟滚滚', national, [], '灾害事故')).d).toMatchObject({
      kind: 'joined',
      clusterId: 100,
    });
    // Without a 突发 signal the usual threshold applies.
    expect(assign(5, item('化工厂那边有点吵', { 化工厂: 0.6, 爆炸: 0.2 }, [])).d).toMatchObject({
      kind: 'joined',
    });
  });
});

function event(id: number, patch: Partial<ClusterMeta> = {}): ClusterMeta {
  return { ...newMeta(id, T0, T0), eventId: 500 + id, itemsCount: 3, uniqueAuthors: 3, ...patch };
}

function ctx(patch: Partial<AlertContext> = {}): AlertContext {
  return {
    now: T0,
    rules: DEFAULT_RULES,
    schemes: [],
    opinionCenterId: 7,
    derive: (m) => deriveEvent(m, new Map([['爆炸', 1]]), T0, DEFAULT_RULES),
    policyById: (id) =>
      id === 9 ? { id: 9, title: '老旧小区改造办法', departmentId: 4, keywords: [] } : undefined,
    ...patch,
  };
}

describe('which alerts a batch raises', () => {
  it('raises an emergency to the opinion center once, and nothing for a calm event', () => {
    const hot = event(1);
    hot.stats.signals = { 灾害事故: 3 };
    hot.stats.casualties.deaths = 2;
    hot.stats.title = '化工厂爆炸';
    const calm = event(2);
    const raised = alertsForBatch([hot, calm], ctx());
    expect(raised).toHaveLength(1);
    expect(raised[0]!.firedKey).toBe('emergency');
    expect(raised[0]!.alert).toMatchObject({
      type: 'event.detected',
      severity: 'critical',
      departmentId: 7,
      subjectId: 501,
      dedupeKey: 'event.detected:501:emergency',
      title: '舆情预警（突发事件信号）：化工厂爆炸',
    });
    expect(raised[0]!.alert.body).toContain('死亡 2 人');
    expect(raised[0]!.alert.renotifyAt).toEqual(expect.any(Date));
    hot.stats.fired.push('emergency');
    expect(alertsForBatch([hot], ctx())).toEqual([]);
  });

  it('routes to the duty group of the scheme most items matched, and a linked policy to its drafter', () => {
    const m = event(1, { itemsCount: 4 });
    m.stats.signals = { 灾害事故: 4 };
    m.stats.schemes = { '3': 1, '5': 3 };
    m.stats.policyIds = [9, 10];
    const schemes = [
      { id: 3, dutyDepartmentId: 30 },
      { id: 5, dutyDepartmentId: 50 },
    ] as Scheme[];
    expect(routeDepartment(m, schemes)).toBe(50);
    const raised = alertsForBatch([m], ctx({ schemes }));
    expect(raised.map((r) => [r.firedKey, r.alert.departmentId])).toEqual([
      ['emergency', 50],
      ['policy:9', 4], // policy 10 is not published (unknown): no alert
    ]);
    expect(raised[1]!.alert.title).toMatch(/^政策舆情：/);
  });

  it('skips clusters that are not events', () => {
    const m = event(1, { eventId: null });
    m.stats.signals = { 灾害事故: 3 };
    expect(alertsForBatch([m], ctx())).toEqual([]);
  });
});

describe('policy links', () => {
  it('compares only specific terms, at most MAX_LINK_TERMS, skipping category pseudo-terms', () => {
    const terms = new Map<string, number>([
      ['#area:教育', 1],
      ['政策', 1], // everyday word: idf 4.5
      ['拆迁', 1],
      ['补偿', 1], // idf 6.9
      ['养老', 1],
    ]);
    expect(specificTerms(terms)).toEqual(['拆迁', '养老']);
    const many = new Map(Array.from({ length: 40 }, (_, i) => [`罕见词${i}`, 1] as [string, number]));
    expect(specificTerms(many)).toHaveLength(MAX_LINK_TERMS);
  });

  it('keeps earlier links, adds named and keyword matches, sorted', () => {
    const seen: string[][] = [];
    const policies = {
      size: 1,
      byKeywords: (t: readonly string[]) => {
        seen.push([...t]);
        return [2];
      },
    };
    expect(linkPolicies([5], [3], new Map([['拆迁', 1]]), policies)).toEqual([2, 3, 5]);
    expect(seen).toEqual([['拆迁']]);
    expect(linkPolicies([5], [], new Map(), { size: 0, byKeywords: () => [1] })).toEqual([5]);
  });
});

describe('bounded duplicate memory', () => {
  it('forgets the earliest originals beyond its cap and still finds the recent ones', () => {
    const idx = new DuplicateIndex<number>(0.6, 72 * H, 100);
    const text = (i: number) => `第${i}号通知：青石镇化工厂偷排废水一事已立案调查，编号${i * 7919}`;
    for (let i = 0; i < 400; i++) idx.add(i, minhash(bigrams(text(i))), T0 + i);
    expect(idx.size).toBeLessThanOrEqual(125);
    expect(idx.size).toBeGreaterThanOrEqual(100);
    expect(idx.nearest(minhash(bigrams(text(399))), T0 + 400)?.ref).toBe(399);
    expect(idx.nearest(minhash(bigrams(text(0))), T0 + 400)?.ref).not.toBe(0);
    idx.prune(T0 + 390);
    expect(idx.size).toBe(10);
  });

  it('reuses the slots of forgotten originals without any of them being found again', () => {
    const idx = new DuplicateIndex<number>(0.6, 72 * H, 100);
    // Forty pseudo-random Han characters per original: no two are near-copies of each other.
    const text = (i: number) => {
      let x = i + 1;
      let out = '';
      for (let k = 0; k < 40; k++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        out += String.fromCharCode(0x4e00 + (x % 20000));
      }
      return out;
    };
    const sig = (i: number) => minhash(bigrams(text(i)));
    // Three rounds of filling, pruning and evicting: later rounds land in earlier rounds' slots.
    for (let round = 0; round < 3; round++) {
      const from = round * 1000;
      for (let i = from; i < from + 300; i++) idx.add(i, sig(i), T0 + i);
      for (let i = from; i < from + 300; i += 7) {
        const found = idx.nearest(sig(i), T0 + i)?.ref;
        if (i >= from + 200) expect(found).toBe(i); // among the last 100–125 added
        if (i < from + 175) expect(found).toBeUndefined(); // evicted
      }
      idx.prune(T0 + from + 290);
      expect(idx.size).toBe(10);
      expect(idx.nearest(sig(from + 289), T0 + from + 289)).toBeNull();
      expect(idx.nearest(sig(from + 295), T0 + from + 295)?.ref).toBe(from + 295);
    }
  });
});

describe('centroid term log', () => {
  /** Batches of posts on two stories, with enough vocabulary that centroids are trimmed. */
  function batches(): { id: number; v: TermVector }[][] {
    let x = 7;
    const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    return Array.from({ length: 12 }, () =>
      Array.from({ length: 6 }, () => {
        const v: TermVector = new Map();
        v.set('化工厂', 0.1 + rnd());
        for (let k = 0; k < 8; k++) v.set(`词${Math.floor(rnd() * 120)}`, rnd() / 3);
        return { id: rnd() < 0.5 ? 1 : 2, v };
      }),
    );
  }
  const setup = () => {
    const ci = new ClusterIndex({ threshold: 0.2, windowMs: 48 * H, maxTerms: 20 });
    for (const id of [1, 2, 3])
      ci.put({ id, terms: new Map([['化工厂', 1]]), firstSeen: T0, lastSeen: T0, items: 1 }, true);
    const journal = new ClusterJournal(0);
    const note = () => journal.note(ci.takeTermChanges(), (id) => ci.clusters.get(id));
    return { ci, journal, note };
  };
  const stored = (): Map<number, TermVector> =>
    new Map([1, 2, 3].map((id) => [id, new Map([['化工厂', 1]])]));

  it('replayed row by row on the checkpointed centroids, gives the centroids in memory', () => {
    const { ci, journal, note } = setup();
    const rows: string[] = [];
    for (const b of batches()) {
      b.forEach((it, i) => {
        ci.addItem(it.id, it.v, T0);
        if (i === 2) note(); // mid-batch (before the index forgets a cluster): merged into the row
      });
      note();
      rows.push(journal.takeLogRow([]).terms!);
    }
    expect(journal.takeLogRow([]).terms).toBeNull();
    const terms = stored();
    for (const row of rows) applyTermChanges(terms, decodeTermLog(row));
    for (const id of [1, 2, 3]) expect(terms.get(id)).toEqual(ci.clusters.get(id)!.terms);
    // Trimming happened, so the log carried removals as well as weights.
    expect(rows.some((r) => decodeTermLog(r).get(1)!.removed.length > 0)).toBe(true);
  });

  it('checkpoints each changed centroid once, whole, also one the index has since forgotten', () => {
    const { ci, journal, note } = setup();
    for (const b of batches()) {
      for (const it of b) ci.addItem(it.id, it.v, T0);
      note();
      journal.takeLogRow([]);
    }
    expect(journal.logRows).toBe(12);
    const final2 = ci.clusters.get(2)!.terms;
    ci.prune(T0 + 1); // forgets all three; 2's centroid changed and is still to be checkpointed
    note();
    const rows = journal.takeCheckpoint(1000).centroids;
    expect(rows.map((r) => r.cluster_id).sort()).toEqual([1, 2]); // 3 never changed
    const row2 = rows.find((r) => r.cluster_id === 2)!;
    expect(new Map(row2.terms.map((t, i) => [t, row2.weights[i]]))).toEqual(final2);
    expect(journal.logRows).toBe(0);
    expect(journal.clusters).toBe(0);
    expect(() => journal.note(new Map([[9, { set: [['词', 1]], removed: [] }]]), () => undefined)).toThrow();
  });

  it('logs the rows a batch touched and checkpoints each changed cluster once, as it is then', () => {
    const meta = newMeta(7, T0, T0);
    const row = () => ({
      id: meta.id,
      event_id: meta.eventId,
      first_seen_at: new Date(meta.firstSeen),
      last_seen_at: new Date(meta.lastSeen),
      items_count: meta.itemsCount,
      unique_authors: meta.uniqueAuthors,
      negative_count: meta.negative,
      positive_count: meta.positive,
      duplicates_count: meta.duplicates,
      hotness: 0.1 + 0.2,
      hotness_at: new Date(meta.hotnessAt),
      stats: { title: '化工厂爆炸', minutes: { [String(T0)]: 2 } },
    });
    const journal = new ClusterJournal(0);
    const logged: string[] = [];
    for (let b = 0; b < 3; b++) {
      meta.itemsCount += 2;
      meta.lastSeen += 60_000;
      journal.touched(meta.id, row);
      logged.push(journal.takeLogRow([row()]).clusters!);
    }
    // A log row gives back exactly the rows it was given, dates and doubles included.
    expect(decodeClusterLog(logged[2]!)).toEqual([row()]);
    expect(decodeClusterLog(logged[0]!)[0]!.items_count).toBe(2);
    meta.eventId = 3;
    const { clusters } = journal.takeCheckpoint(10);
    expect(clusters).toEqual([{ ...row(), event_id: 3, items_count: 6 }]);
    expect(journal.takeCheckpoint(20).clusters).toEqual([]);
  });

  it('is due after enough batches, time or clusters waiting', () => {
    expect(checkpointDue({ batches: 1, sinceMs: 10, clusters: 100 })).toBe(false);
    expect(checkpointDue({ batches: CHECKPOINT_BATCHES, sinceMs: 10, clusters: 100 })).toBe(true);
    expect(checkpointDue({ batches: 1, sinceMs: CHECKPOINT_MS, clusters: 100 })).toBe(true);
    expect(checkpointDue({ batches: 1, sinceMs: 10, clusters: CHECKPOINT_CLUSTERS })).toBe(true);
    const { journal } = setup();
    expect(journal.checkpointDue(CHECKPOINT_MS - 1)).toBe(false);
    expect(journal.checkpointDue(CHECKPOINT_MS)).toBe(true);
  });
});
