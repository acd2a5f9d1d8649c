import {
  buildGazetteer,
  contains,
  loadDivisions,
  overlaps,
  type Gazetteer,
  type PlaceName,
} from './gazetteer.js';
import { leftmostLongest } from './ahocorasick.js';
import { partsOfSpeech } from '../../text/segment.js';

/**
 * Place names in a post (青石镇, 城南新区, 河西街道): two posts about the same kind of incident in
 * different places are different events, however alike their words.
 */
const SUFFIX_RE = /^[\p{Script=Han}]{1,6}(?:省|市|县|区|镇|乡|村|街道|社区|新区|开发区)$/u;
const SUFFIX_TOKENS = new Set(['省', '市', '县', '区', '镇', '乡', '村', '街道', '社区']);
// Words that end like a place but name no particular one.
const GENERIC = new Set([
  '城镇',
  '小城镇',
  '大城镇',
  '乡镇',
  '乡村',
  '农村',
  '城市',
  '城区',
  '市区',
  '郊区',
  '地区',
  '小区',
  '社区',
  '辖区',
  '片区',
  '园区',
  '景区',
  '新区',
  '老区',
  '山区',
  '灾区',
  '学区',
  '街道',
  '全市',
  '全县',
  '全区',
  '本市',
  '本县',
  '我市',
  '我县',
  '我区',
  '各区',
  '城乡',
  '县城',
  '省市',
  '市县',
]);
// Kinds of area, not names: 化工园区, 工业园区, 老旧小区.
const KIND_OF_AREA =
  /^(?:化工|工业|产业|科技|物流|经济|高新|住宅|老旧|新建|安置|商业|风景|旅游|生活|居民)(?:园区|小区|社区|景区|片区|新区|开发区)$/u;
const HAN_RE = /^\p{Script=Han}+$/u;
// Township-level names the segmenter may have cut anywhere: two characters before 镇/乡/街道.
const TOWN_RE = /(\p{Script=Han}{2})(镇|乡|街道)/gu;
const NOT_A_NAME = /^[在到从于的了是这那各每全本我该某一进多几个]|^.?[镇乡村县区市省和与及]|乡镇|城乡/u;
// A division's name split by the segmenter: 响水 + 县, 光明 + 新区.
const DIVISION_SUFFIXES = new Set(['省', '市', '县', '区', '新区', '旗', '盟', '自治区', '自治州', '自治县']);
const ONE_CHAR_SUFFIX = /[省市州县区]$/u;
// Streets named after places (北京路, 宜宾路, 延安大街) are in whatever city has them.
const ROAD = /^(?:路|街|大道|大街|巷|胡同)/u;
// A word before these is part of a township or village name (朝阳 + 镇), not the county 朝阳.
const BELOW_COUNTY = new Set(['镇', '乡', '村', '街道', '社区']);

let divisions: Gazetteer | null = null;

/** The national gazetteer with this module's generic words left out, built once per thread. */
export function divisionIndex(): Gazetteer {
  divisions ??= buildGazetteer(loadDivisions(), partsOfSpeech, GENERIC);
  return divisions;
}

/**
 * The places an item names. Divisions of the national gazetteer come as paths
 * (`江苏省/盐城市/响水县`), the most specific mentioned: 江苏 beside 响水县 adds nothing, and an
 * ambiguous 朝阳 beside 北京 is 北京市/朝阳区. Townships, villages and local places (本地词) come
 * as their names (青石镇).
 */
export function extractPlaces(
  tokens: readonly string[],
  known: ReadonlySet<string> = new Set(),
  gaz: Gazetteer = divisionIndex(),
): string[] {
  const named = new Set<string>();
  const mentions: PlaceName[] = [];
  const joined = tokens.join('');
  for (const m of leftmostLongest(gaz.fullNames.findAll(joined)))
    if (!isDateline(joined, m.end)) mentions.push(gaz.byName.get(gaz.fullNameList[m.term]!)!);
  for (const m of joined.matchAll(TOWN_RE)) {
    const name = m[1]! + m[2]!;
    // 新型城镇化, 城镇化率: a process, not a town.
    if (m[2] === '镇' && m[1]!.endsWith('城') && joined[m.index + 3] === '化') continue;
    if (isName(name)) named.add(name);
  }
  for (let i = 0, end = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    end += t.length;
    if (known.has(t)) {
      // A local place that is also a division (本地词 响水县) keeps its path, so 响水 still matches it.
      const division = gaz.byName.get(t);
      if (division?.paths.length) mentions.push(division);
      else named.add(t);
      continue;
    }
    if (next !== undefined && DIVISION_SUFFIXES.has(next)) {
      const whole = gaz.byName.get(t + next);
      if (whole) {
        if (!isDateline(joined, end + next.length)) mentions.push(whole);
        end += next.length;
        i++;
        continue;
      }
    }
    const divisions =
      next !== undefined && (BELOW_COUNTY.has(next) || ROAD.test(next)) ? undefined : lookUp(gaz, t);
    if (divisions) {
      if (!isDateline(joined, end)) mentions.push(...divisions);
    } else if (t.length >= 3 && SUFFIX_RE.test(t) && isName(t)) named.add(t);
    else if (SUFFIX_TOKENS.has(t) && i > 0) {
      // jieba splits unknown names: 青石 + 镇.
      const prev = tokens[i - 1]!;
      if (prev.length >= 2 && prev.length <= 4 && HAN_RE.test(prev) && isName(prev + t)) named.add(prev + t);
    }
  }
  // A full name the segmenter happened to cut as 响水 + 县 is already among the divisions.
  return [...mostSpecific(mentions), ...[...named].filter((n) => !gaz.byName.get(n)?.paths.length)];
}

// A news dateline (新华社北京3月21日电, 中新网上海电) says where the desk sits, not where it happened.
const DATELINE = /^(?:\d{1,2}月\d{1,2}日)?电/u;

/** Whether the text at `end`, just after a place name, makes that name a dateline's. */
function isDateline(joined: string, end: number): boolean {
  return DATELINE.test(joined.slice(end, end + 8));
}

/** Whether a word ending like a place (…镇, …区) is a name: not generic (城区), not a kind (化工园区), not a phrase (一小区). */
function isName(w: string): boolean {
  return !GENERIC.has(w) && !KIND_OF_AREA.test(w) && !NOT_A_NAME.test(w);
}

/**
 * The divisions a token names. jieba keeps some pairs and suffixed short names whole
 * (广西南宁, 吉林长春, 延边州), so a token of 3+ characters that is no name itself may be two
 * names, or one with a one-character suffix.
 */
function lookUp(gaz: Gazetteer, t: string): PlaceName[] | undefined {
  const whole = gaz.byName.get(t);
  if (whole) return [whole];
  if (t.length < 3 || t.length > 10) return undefined;
  const suffixed = ONE_CHAR_SUFFIX.test(t) ? gaz.byName.get(t.slice(0, -1)) : undefined;
  if (suffixed) return [suffixed];
  for (let k = 2; k <= t.length - 2; k++) {
    const head = gaz.byName.get(t.slice(0, k));
    if (!head) continue;
    const rest = t.slice(k);
    const tail =
      gaz.byName.get(rest) ?? (ONE_CHAR_SUFFIX.test(rest) ? gaz.byName.get(rest.slice(0, -1)) : undefined);
    if (tail) return [head, tail];
  }
  return undefined;
}

/**
 * The places mentioned, each narrowed by the others (朝阳 beside 北京 is 北京市/朝阳区; 石门 counts
 * only beside 常德 or 湖南), without the places that only contain another one (江苏省 beside
 * 江苏省/盐城市/响水县).
 */
function mostSpecific(mentions: readonly PlaceName[]): string[] {
  if (!mentions.length) return [];
  const within = (c: string, others: Iterable<string>) => {
    for (const p of others) if (p !== c && contains(p, c)) return true;
    return false;
  };
  const chosen = new Set<string>();
  for (const m of mentions) {
    const others = mentions.filter((o) => o !== m).flatMap((o) => o.paths);
    // 乌鲁木齐 beside 新疆 is the city, not its county of the same name.
    const beside = m.contextual.filter((c) => within(c, others) && !within(c, m.paths));
    const candidates = [...m.paths, ...beside];
    const related = (c: string) => others.some((o) => o !== c && (contains(o, c) || contains(c, o)));
    const narrowed = candidates.length > 1 ? candidates.filter(related) : candidates;
    for (const c of narrowed.length ? narrowed : candidates) chosen.add(c);
  }
  return [...chosen].filter((p) => ![...chosen].some((q) => q !== p && contains(p, q)));
}

/** Whether an item naming `places` may belong with a story naming `others`: a place in common, at any grain. */
export function placesOverlap(others: Iterable<string>, places: readonly string[]): boolean {
  for (const o of others) for (const p of places) if (overlaps(o, p)) return true;
  return false;
}

/**
 * Adds an item's places to a story's: a coarser mention of a place already there adds nothing,
 * and a finer one replaces the coarser (the story is about 响水县, not all of 江苏省). Returns
 * whether `into` changed.
 */
export function mergePlaces(into: Set<string>, places: readonly string[]): boolean {
  let changed = false;
  for (const p of places) {
    if (into.has(p)) continue;
    let covered = false;
    for (const e of into)
      if (contains(p, e)) {
        covered = true;
        break;
      }
    if (covered) continue;
    for (const e of into) if (contains(e, p)) into.delete(e);
    into.add(p);
    changed = true;
  }
  return changed;
}
