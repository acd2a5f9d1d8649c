import { leftmostLongest, type Match } from './ahocorasick.js';
import { extractCasualties as readCasualties, type Casualties } from './casualties.js';
import { type CompiledLexicons, type Family, type Role } from './lexicon.js';

export type { Casualties } from './casualties.js';

/**
 * Lexicon classification of one normalised text: 民生 areas, 突发事件 signals with casualty
 * figures, and sentiment with negation. Every label carries the words that produced it.
 */

export interface LabelHit {
  label: string;
  score: number;
  triggers: string[];
}

export interface SentimentTrigger {
  word: string;
  polarity: -1 | 1;
  /** The effect after negation and intensifiers: negative values pull towards 负面. */
  value: number;
  negatedBy?: string;
  intensifiedBy?: string;
  /** A rule that shaped the value: 反问 (rhetorical question), 转折后 (after 但是), 表情 (emoji). */
  rule?: string;
}

export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export interface SentimentResult {
  label: SentimentLabel;
  score: number;
  triggers: SentimentTrigger[];
}

/** What makes an incident weigh more in the suggested severity. */
export interface SeverityContext {
  school: boolean;
  hazardous: boolean;
}

export interface Classification {
  areas: LabelHit[];
  signals: LabelHit[];
  casualties: Casualties;
  sentiment: SentimentResult;
  context: SeverityContext;
}

export const AREA_THRESHOLD = 1;
export const SIGNAL_THRESHOLD = 1;
/** Lexicon weight of a decisive 突发 term (see data/lexicons/emergency.json). */
const DECISIVE_WEIGHT = 2;

// Drills and lessons name incidents that did not happen.
const REHEARSAL = /演练|演习|科普|(?:消防|安全|防范|逃生|应急|防灾|急救|防汛|地震)知识|知识讲座|知识竞赛/u;

// How news reports that something happened (发生爆炸, 突降暴雨, 台风登陆).
const REPORTING = /发生|突发|突降|登陆|遭遇|引发/u;

// How people write when the ground shakes under them: 地震了！好晃, 刚才是不是地震, 楼在晃，地震了吗,
// 震感强烈. 地震 is a strong word, not a decisive one (娱乐圈大地震, 一场管理层地震, 灾难片里的地震
// 场面), and a first-hand quake post names no magnitude and no harm, so this backs it as a reporting
// verb does. 晃眼 and 晃悠 are not shaking.
const FELT =
  /地震[了吗吧啊]|是不是地震|摇晃|晃动|[在好很真太]晃(?![眼悠荡])|晃[了得醒]|震感(?:强烈|明显)|有震感|震源/u;

function hasCasualtyFacts(c: Casualties): boolean {
  return c.deaths + c.injuries + c.missing + c.sick + c.evacuated > 0;
}
const NEGATION_REACH = 4;
const SENTIMENT_THRESHOLD = 0.75;
/** Matches in the opening characters (the headline) weigh more for the signal. */
const HEADLINE_CHARS = 60;
/** Each signal term counts at most this many times (a long article repeating it). */
const MAX_REPEAT = 2;
const CLAUSE_CHARS = new Set([...'，。！？；,.!?;\n…：:']);
const QUESTION_CHARS = new Set([...'？?']);
/** Contrast words: what follows them is what the writer means ("位置不错，但是房间太脏"). */
const CONTRAST = ['但是', '但', '可是', '不过', '然而', '只是', '就是', '却'];
/** Rhetorical questions affirm: 「谁不喜欢…呢？」「难道不好吗？」 — their negation does not flip. */
const RHETORICAL = ['难道', '谁不', '岂', '何尝', '不就是', '不也是', '吗', '呢'];
/** Information requests: a weak negative word in them is a topic, not a complaint. */
const ASKING = [
  '请问',
  '咨询',
  '想问',
  '求问',
  '问一下',
  '有人知道',
  '有谁知道',
  '怎么办理',
  '如何办理',
  '哪里可以',
];

interface RoleMatch extends Match {
  role: Role;
}

/** Splits raw automaton matches by lexicon family, then keeps leftmost-longest within each. */
function byFamily(c: CompiledLexicons, text: string): Record<Family, Match[]> {
  const raw = c.matcher.findAll(text);
  const fam: Record<Family, Match[]> = { area: [], signal: [], sentiment: [] };
  for (const m of raw) {
    const f = c.byFamily[m.term]!;
    if (f.area.length) fam.area.push(m);
    if (f.signal.length) fam.signal.push(m);
    if (f.sentiment.length) fam.sentiment.push(m);
  }
  return {
    area: fam.area,
    signal: leftmostLongest(fam.signal),
    sentiment: leftmostLongest(fam.sentiment),
  };
}

function roleMatches(c: CompiledLexicons, matches: Match[], family: Family): RoleMatch[] {
  const out: RoleMatch[] = [];
  for (const m of matches)
    for (const role of c.byFamily[m.term]![family])
      out.push({ term: m.term, start: m.start, end: m.end, role });
  return out;
}

function scoreLabels(
  c: CompiledLexicons,
  matches: RoleMatch[],
  repeat = 1,
): Map<string, LabelHit & { strong: boolean; decisive: boolean; distinct: number }> {
  const per = new Map<string, RoleMatch[]>();
  for (const m of matches) {
    if (m.role.kind !== 'area' && m.role.kind !== 'signal') continue;
    const list = per.get(m.role.label) ?? [];
    list.push(m);
    per.set(m.role.label, list);
  }
  const out = new Map<string, LabelHit & { strong: boolean; decisive: boolean; distinct: number }>();
  for (const [label, list] of per) {
    const seen = new Map<string, number>();
    let score = 0;
    let strong = false;
    let decisive = false;
    for (const m of leftmostLongest(list)) {
      const word = c.terms[m.term]!;
      const n = seen.get(word) ?? 0;
      seen.set(word, n + 1);
      if (n >= repeat) continue;
      const w = m.role.kind === 'area' || m.role.kind === 'signal' ? m.role.weight : 0;
      // Repeat mode (signals): the headline's words say what the article is about.
      score += repeat > 1 && m.start < HEADLINE_CHARS ? w * 1.5 : w;
      if (m.role.kind === 'signal' && m.role.strong) strong = true;
      if (m.role.kind === 'signal' && m.role.weight >= DECISIVE_WEIGHT) decisive = true;
      if (m.role.kind === 'area' && m.role.weight >= 1) strong = true;
    }
    out.set(label, {
      label,
      score: Math.round(score * 100) / 100,
      triggers: [...seen.keys()],
      strong,
      decisive,
      distinct: seen.size,
    });
  }
  return out;
}

/** Offsets where jieba tokens start or end; single-character words must sit on them. */
export function tokenBoundaries(tokens: readonly string[]): Set<number> {
  const b = new Set<number>([0]);
  let pos = 0;
  for (const t of tokens) {
    pos += t.length;
    b.add(pos);
  }
  return b;
}

function aligned(m: Match, boundaries: Set<number> | undefined): boolean {
  if (!boundaries || m.end - m.start > 1) return true;
  return boundaries.has(m.start) && boundaries.has(m.end);
}

interface Clause {
  start: number;
  end: number;
  rhetorical: boolean;
}

/** Clauses of the text with their rhetorical-question flag, in one pass. */
function clausesOf(text: string): Clause[] {
  const out: Clause[] = [];
  let start = 0;
  const close = (end: number, question: boolean) => {
    if (end <= start) return;
    let rhetorical = false;
    if (question) {
      const part = text.slice(start, end);
      rhetorical = RHETORICAL.some((w) => part.includes(w));
    }
    out.push({ start, end, rhetorical });
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (!CLAUSE_CHARS.has(ch)) continue;
    close(i + 1, QUESTION_CHARS.has(ch));
    start = i + 1;
  }
  close(text.length, false);
  return out;
}

/** Offset of the first contrast word opening a clause after the first one, or -1. */
function contrastAt(text: string, clauses: readonly Clause[]): number {
  for (let k = 1; k < clauses.length; k++) {
    let p = clauses[k]!.start;
    while (text[p] === ' ') p++;
    if (CONTRAST.some((w) => text.startsWith(w, p))) return p;
  }
  return -1;
}

/** Emoji and 表情 codes found in the raw text (normalisation strips them before matching). */
export interface EmojiSentiment {
  score: number;
  found: string[];
}

export function scoreSentiment(
  c: CompiledLexicons,
  text: string,
  matches: Match[],
  boundaries?: Set<number>,
  emoji?: EmojiSentiment,
): SentimentResult {
  const triggers: SentimentTrigger[] = [];
  let negators: RoleMatch[] = [];
  let intensifier: RoleMatch | null = null;
  let score = 0;
  let lastEnd = 0;
  const clauses = clausesOf(text);
  const contrast = contrastAt(text, clauses);
  let ci = 0;
  for (const m of roleMatches(c, matches, 'sentiment')) {
    if (!aligned(m, boundaries)) continue;
    // A clause break or a long gap ends the reach of pending modifiers.
    let broken = m.start - lastEnd > NEGATION_REACH;
    for (let i = lastEnd; !broken && i < m.start; i++) if (CLAUSE_CHARS.has(text[i]!)) broken = true;
    if (broken) {
      negators = [];
      intensifier = null;
    }
    while (ci < clauses.length - 1 && clauses[ci]!.end <= m.start) ci++;
    const r = m.role;
    if (r.kind === 'negator') negators.push(m);
    else if (r.kind === 'intensifier') intensifier = m;
    else if (r.kind === 'blocker') {
      /* consumes the span so 不少 / 非常 / 是不是 do not negate */
    } else if (r.kind === 'sentiment') {
      const factor = intensifier && intensifier.role.kind === 'intensifier' ? intensifier.role.factor : 1;
      const rhetorical = clauses[ci]?.rhetorical ?? false;
      const negated = negators.length % 2 === 1 && !(rhetorical && r.polarity > 0);
      let value = r.polarity * r.weight * factor;
      // 不满意 is clearly negative; 不担心 is only mildly positive.
      if (negated) value = r.polarity > 0 ? -value : -value * 0.5;
      let rule: string | undefined;
      if (contrast >= 0) {
        value *= m.start >= contrast ? 1.3 : 0.7;
        if (m.start >= contrast) rule = '转折后';
      }
      value = Math.round(value * 100) / 100;
      score += value;
      const t: SentimentTrigger = { word: c.terms[m.term]!, polarity: r.polarity, value };
      if (negated) t.negatedBy = negators.map((n) => c.terms[n.term]).join('');
      if (intensifier) t.intensifiedBy = c.terms[intensifier.term]!;
      if (rhetorical && negators.length % 2 === 1 && r.polarity > 0) t.rule = '反问';
      else if (rule) t.rule = rule;
      if (triggers.length < 24) triggers.push(t);
      negators = [];
      intensifier = null;
    }
    lastEnd = m.end;
  }
  if (emoji && emoji.score !== 0) {
    score += emoji.score;
    for (const e of emoji.found.slice(0, 4))
      triggers.push({ word: e, polarity: emoji.score < 0 ? -1 : 1, value: 0, rule: '表情' });
  }
  // A question asking for information names its topic ("居住证过期了怎么办"): weak negative
  // words in it are not a complaint.
  const head = text.slice(0, 120);
  if (score < 0 && score > -1.5 && ASKING.some((w) => head.includes(w))) score *= 0.4;
  score = Math.round(score * 100) / 100;
  const label: SentimentLabel =
    score <= -SENTIMENT_THRESHOLD ? 'negative' : score >= SENTIMENT_THRESHOLD ? 'positive' : 'neutral';
  return { label, score, triggers };
}

/** Whether any of the words occurs in the text (few words, short text: plain includes). */
function mentions(text: string, words: readonly string[]): boolean {
  return words.some((w) => text.includes(w));
}

/**
 * Classifies a normalised text. `tokens` (jieba output for the same text) lets single-character
 * sentiment words (差, 好) count only as whole words, not inside 出差 or 好像. `emoji` is the
 * sentiment of the emoji and 表情 codes of the raw text.
 */
export function classify(
  c: CompiledLexicons,
  text: string,
  tokens?: readonly string[],
  emoji?: EmojiSentiment,
): Classification {
  const fam = byFamily(c, text);
  const boundaries = tokens ? tokenBoundaries(tokens) : undefined;
  // One ambiguous word (开发商, 学校 as a place) does not decide an area: it takes a core term or
  // two different terms of the area.
  const areas = [...scoreLabels(c, roleMatches(c, fam.area, 'area')).values()]
    .filter((h) => h.score >= AREA_THRESHOLD && (h.strong || h.distinct >= 2))
    .map(({ label, score, triggers }) => ({ label, score, triggers }))
    .sort((a, b) => b.score - a.score);
  const casualties = readCasualties(text, c.lexicons.casualtyWords);
  const reported = hasCasualtyFacts(casualties) || REPORTING.test(text) || FELT.test(text);
  // 消防应急演练, 地震逃生知识: an exercise or a lesson about an incident, not one, unless people
  // were hurt (drills evacuate people by design).
  const hurt = casualties.deaths + casualties.injuries + casualties.missing + casualties.sick > 0;
  const rehearsal = !hurt && REHEARSAL.test(text);
  const signals = [...scoreLabels(c, roleMatches(c, fam.signal, 'signal'), MAX_REPEAT).values()]
    // One word that often speaks in figures (爆炸, 着火, 地震, 暴雨) is not a report: 气死我了，简直要
    // 爆炸了. It takes a term naming the incident unmistakably (燃气爆炸, 火灾, 4.8级地震), a second
    // incident word (化工厂…爆炸, 追尾…受伤), figures of harm (3人受伤), a reporting verb (发生, 登陆)
    // or felt shaking (楼在晃). Set phrases (股市地震, 人事大地震) are the lexicon's exclusions.
    .filter(
      (h) =>
        h.strong && h.score >= SIGNAL_THRESHOLD && !rehearsal && (h.decisive || h.distinct >= 2 || reported),
    )
    .map(({ label, score, triggers }) => ({ label, score, triggers }))
    .sort((a, b) => b.score - a.score);
  const sentiment = scoreSentiment(c, text, fam.sentiment, boundaries, emoji);
  const ctx = c.lexicons.severityContext;
  const context: SeverityContext = {
    school: signals.length > 0 && mentions(text, ctx.school),
    hazardous: signals.length > 0 && mentions(text, ctx.hazardous),
  };
  return { areas, signals, casualties, sentiment, context };
}
