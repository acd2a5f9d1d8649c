/**
 * Composes the in-domain opinion evaluation set test/fixtures/opinion-eval/set.json from the
 * hand-written parts in parts.ts (fixed seed, so the file is reproducible):
 *   npx tsx scripts/opinion-eval/build-set.ts
 * The set is for evaluation only: nothing in src/ is trained on it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  AREA_COMPLAINTS,
  EMERGENCIES,
  FELT_QUAKES,
  FIGURATIVE,
  FIGURATIVE_QUAKES,
  REHEARSALS,
  INCIDENTS,
  NEGATIVE_EMOTION,
  NEGATIVE_GENERAL,
  NEUTRAL,
  NOT_EMERGENCY,
  PLACES,
  POSITIVE,
  REPOST_PREFIX,
  REGIONS,
  REPOST_SUFFIX,
  REWORD,
  SARCASM,
  SERVICE_COMPLAINTS,
  SHORT_DIFFERENT,
  STORIES,
  TICKET_FRAMES,
  WEIBO_FRAMES,
  type Sentiment,
} from './parts.js';

export interface EvalItem {
  id: string;
  text: string;
  channel: string;
  kind: string;
  /** Minutes after the start of the set. */
  at: number;
  sentiment?: Sentiment;
  areas?: string[];
  /** Expected top 突发 signal; null = none expected; absent = not judged. */
  signal?: string | null;
  /** Gold story for the clustering check; absent = not part of it. */
  story?: string;
}

export interface EvalPair {
  a: string;
  b: string;
  duplicate: boolean;
  kind: string;
}

let seed = 20241129;
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
const CN = ['一', '两', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
const num = (lo: number, hi: number) => {
  const n = lo + Math.floor(rnd() * (hi - lo + 1));
  return n <= 12 && rnd() < 0.4 ? CN[n - 1]! : String(n);
};
const fill = (t: string, p: string) =>
  t
    .replaceAll('{p}', p)
    .replaceAll('{n}', num(1, 12))
    .replaceAll('{m}', num(2, 30))
    .replaceAll('{k}', num(8, 130));

const items: EvalItem[] = [];
const pairs: EvalPair[] = [];
let nextId = 0;
const add = (i: Omit<EvalItem, 'id' | 'at'> & { at?: number }): EvalItem => {
  const item = { id: `e${++nextId}`, at: i.at ?? Math.floor(rnd() * 2880), ...i } as EvalItem;
  items.push(item);
  return item;
};

// ---- sentiment, areas: 12345 tickets and Weibo posts per 民生 area ----
let storyN = 0;
for (const [area, list] of Object.entries(AREA_COMPLAINTS)) {
  for (const c of list) {
    const p1 = pick(PLACES);
    add({
      text: pick(TICKET_FRAMES).replaceAll('{p}', p1).replaceAll('{c}', c),
      channel: 'hotline',
      kind: 'ticket',
      sentiment: 'negative',
      areas: [area],
      signal: null,
      story: `single-${++storyN}`,
    });
    const p2 = pick(PLACES.filter((p) => p !== p1));
    add({
      text: pick(WEIBO_FRAMES).replaceAll('{p}', p2).replaceAll('{c}', c),
      channel: 'weibo',
      kind: 'weibo-complaint',
      sentiment: 'negative',
      areas: [area],
      signal: null,
    });
    add({ text: c, channel: 'weibo', kind: 'complaint-bare', sentiment: 'negative', areas: [area] });
  }
}
for (const t of NEGATIVE_GENERAL) {
  add({ text: t, channel: 'weibo', kind: 'demand', sentiment: 'negative', story: `single-${++storyN}` });
  add({ text: `${pick(PLACES)}，${t}`, channel: 'forum', kind: 'demand', sentiment: 'negative' });
}
for (const t of SARCASM) add({ text: t, channel: 'weibo', kind: 'sarcasm', sentiment: 'negative' });
/** Each text as a story of its own, then once more as `echo` words it, on the same channel. */
const withEcho = (
  texts: string[],
  like: Pick<EvalItem, 'channel' | 'kind' | 'sentiment'>,
  echo: (t: string) => string,
) => {
  for (const t of texts) {
    add({ text: t, ...like, story: `single-${++storyN}` });
    add({ text: echo(t), ...like });
  }
};
withEcho(
  SERVICE_COMPLAINTS,
  { channel: 'review', kind: 'service', sentiment: 'negative' },
  (t) => `${pick(['第二次来了，', '说实话，', '', '差评！', '唉，'])}${t}`,
);
withEcho(
  NEGATIVE_EMOTION,
  { channel: 'weibo', kind: 'emotion', sentiment: 'negative' },
  (t) => `${t}${pick(['。', '…', '！', '[泪]', ''])}`,
);
withEcho(
  POSITIVE,
  { channel: 'weibo', kind: 'positive', sentiment: 'positive' },
  (t) => `${t}${pick(['！', '👍', '[赞]', '～'])}`,
);
for (const t of NEUTRAL) {
  add({
    text: t,
    channel: 'weibo',
    kind: 'neutral',
    sentiment: 'neutral',
    signal: null,
    story: `single-${++storyN}`,
  });
  add({ text: `${t}${pick(['', '？', '。'])}`, channel: 'forum', kind: 'neutral', sentiment: 'neutral' });
}

// ---- emergencies ----
for (const e of EMERGENCIES)
  for (const t of e.texts)
    for (let k = 0; k < 3; k++)
      add({ text: fill(t, pick(PLACES)), channel: 'news', kind: `emergency-${e.kind}`, signal: e.signal });
for (const t of NOT_EMERGENCY) add({ text: t, channel: 'weibo', kind: 'not-emergency', signal: null });

// ---- stories: two places each, spread over a few hours, plus a repost ----
STORIES.forEach((s, si) => {
  const places = [...PLACES].sort(() => rnd() - 0.5).slice(0, 2);
  for (const p of places) {
    const story = `story-${si}-${p}`;
    const start = Math.floor(rnd() * 2000);
    const posts = s.posts.map((t) => fill(t, p));
    posts.forEach((text, k) =>
      add({
        text,
        channel: pick(['weibo', 'news', 'forum', 'wechat']),
        kind: 'story',
        story,
        at: start + k * 37,
      }),
    );
    add({
      text: `${pick(REPOST_PREFIX)}${pick(posts)}`,
      channel: 'weibo',
      kind: 'story-repost',
      story,
      at: start + 200,
    });
  }
});

// ---- near-duplicate pairs ----
const reword = (t: string, edits: number) => {
  let out = t;
  for (const [a, b] of [...REWORD].sort(() => rnd() - 0.5)) {
    if (edits <= 0) break;
    if (out.includes(a)) {
      out = out.replace(a, b);
      edits--;
    }
  }
  return out;
};
const longSources = [
  ...Object.values(AREA_COMPLAINTS)
    .flat()
    .filter((t) => t.length >= 16),
  ...SERVICE_COMPLAINTS.filter((t) => t.length >= 14),
  ...STORIES.flatMap((s) => s.posts).map((t) => fill(t, pick(PLACES))),
];
for (const t of longSources) {
  const original = pick(PLACES) + '，' + t;
  const kind = rnd();
  let copy: string;
  let k: string;
  if (kind < 0.35) {
    copy = `${pick(REPOST_PREFIX)}${original}${pick(REPOST_SUFFIX)}`;
    k = 'repost';
  } else if (kind < 0.7) {
    copy = reword(original, 2);
    k = 'small-edit';
  } else {
    copy = `${reword(original, 3)}${pick(REPOST_SUFFIX)}`;
    k = '洗稿';
  }
  const a = add({ text: original, channel: 'weibo', kind: 'pair' });
  const b = add({ text: copy, channel: 'weibo', kind: 'pair' });
  pairs.push({ a: a.id, b: b.id, duplicate: true, kind: k });
}
for (const [x, y] of SHORT_DIFFERENT) {
  const a = add({ text: x, channel: 'forum', kind: 'pair' });
  const b = add({ text: y, channel: 'forum', kind: 'pair' });
  pairs.push({ a: a.id, b: b.id, duplicate: false, kind: 'short-different' });
}
// Different posts about one matter (same place, same area): related, not copies.
for (const list of Object.values(AREA_COMPLAINTS))
  for (let i = 0; i + 1 < list.length; i += 2) {
    const p = pick(PLACES);
    const a = add({ text: `${p}${list[i]}`, channel: 'weibo', kind: 'pair' });
    const b = add({ text: `${p}${list[i + 1]}`, channel: 'weibo', kind: 'pair' });
    pairs.push({ a: a.id, b: b.id, duplicate: false, kind: 'same-area-different' });
  }
// Short posts sharing a word or two.
for (let i = 0; i + 1 < NEUTRAL.length; i += 2) {
  const a = add({ text: NEUTRAL[i]!, channel: 'weibo', kind: 'pair' });
  const b = add({ text: NEUTRAL[i + 1]!, channel: 'weibo', kind: 'pair' });
  pairs.push({ a: a.id, b: b.id, duplicate: false, kind: 'short-different' });
}
// Exact reposts of short posts still merge.
for (const t of [...NEGATIVE_GENERAL.slice(0, 10), ...SARCASM.slice(0, 6)]) {
  const a = add({ text: t, channel: 'weibo', kind: 'pair' });
  const b = add({ text: `转发微博 //@热心网友: ${t}`, channel: 'weibo', kind: 'pair' });
  pairs.push({ a: a.id, b: b.id, duplicate: true, kind: 'repost-short' });
}

// ---- national incidents: one kind in three regions at once, named at different grains ----
// Each region has one incident: two disasters in one county on one day are rare, and whether
// they are one event is a matter of judgement the set does not test.
const incidentRegions = [...REGIONS].sort(() => rnd() - 0.5);
const followUpAt = new Map<number, number>();
INCIDENTS.forEach((inc, ii) => {
  const regions = incidentRegions.slice(ii * 3, ii * 3 + 3);
  regions.forEach((r, ri) => {
    const start = Math.floor(rnd() * 240);
    if (ri === 0) followUpAt.set(ii, start + 5 * 23);
    inc.posts.forEach((t, k) =>
      add({
        text: fill(
          t
            .replaceAll('{prov}', r.prov)
            .replaceAll('{city}', r.city)
            .replaceAll('{county}', r.county)
            .replaceAll('{short}', r.short),
          '',
        ),
        channel: pick(['news', 'weibo', 'wechat']),
        kind: `incident-${inc.kind}`,
        story: `incident-${ii}-${ri}`,
        at: start + k * 23,
      }),
    );
  });
});

// ---- incident words used in figures of speech, forecasts and fiction ----
for (const t of FIGURATIVE) add({ text: t, channel: 'weibo', kind: 'figurative', signal: null });

// ---- local first reports naming no place, while the national incidents are in the window ----
INCIDENTS.forEach((inc, ii) =>
  add({
    text: inc.local,
    channel: 'weibo',
    kind: `incident-local-${inc.kind}`,
    story: `incident-local-${ii}`,
    at: Math.floor(rnd() * 300),
  }),
);

// ---- follow-ups naming no place, after the first region's reports ----
INCIDENTS.forEach((inc, ii) =>
  add({
    text: inc.followUp,
    channel: 'news',
    kind: `incident-followup-${inc.kind}`,
    story: `incident-${ii}-0`,
    at: followUpAt.get(ii)!,
  }),
);

// ---- drills and safety lessons (fixed time: the sections above keep their random draws) ----
for (const t of REHEARSALS) add({ text: t, channel: 'news', kind: 'rehearsal', signal: null, at: 1440 });

// ---- 地震 as a figure of speech, and first-hand quake posts (appended: earlier draws unchanged) ----
for (const t of FIGURATIVE_QUAKES)
  add({ text: t, channel: 'weibo', kind: 'figurative-quake', signal: null, at: 1500 });
for (const t of FELT_QUAKES)
  add({ text: t, channel: 'weibo', kind: 'emergency-felt-quake', signal: '灾害事故', at: 1500 });

const out = path.resolve('test/fixtures/opinion-eval/set.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ items, pairs }, null, 1) + '\n');
const stories = new Set(items.filter((i) => i.story?.startsWith('story-')).map((i) => i.story));
console.log(`${items.length} items, ${pairs.length} pairs, ${stories.size} multi-post stories → ${out}`);
