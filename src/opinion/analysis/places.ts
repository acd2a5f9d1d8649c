/**
 * Place names in a post (青石镇, 城南新区, 河西街道): two posts about the same kind of incident in
 * different places are different events, however alike their words.
 */
const SUFFIX_RE = /^[\p{Script=Han}]{1,6}(?:省|市|县|区|镇|乡|村|街道|社区|新区|开发区)$/u;
const SUFFIX_TOKENS = new Set(['省', '市', '县', '区', '镇', '乡', '村', '街道', '社区']);
// Words that end like a place but name no particular one.
const GENERIC = new Set([
  '城镇',
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
const HAN_RE = /^\p{Script=Han}+$/u;
// Township-level names the segmenter may have cut anywhere: two characters before 镇/乡/街道.
const TOWN_RE = /(\p{Script=Han}{2})(镇|乡|街道)/gu;
const NOT_A_NAME = /^[在到从于的了是这那各每全本我该某一]|^.?[镇乡村县区市省和与及]|乡镇|城乡|城镇/u;

export function extractPlaces(tokens: readonly string[], known: ReadonlySet<string> = new Set()): string[] {
  const out = new Set<string>();
  for (const m of tokens.join('').matchAll(TOWN_RE)) {
    const name = m[1]! + m[2]!;
    if (!NOT_A_NAME.test(name) && !GENERIC.has(name)) out.add(name);
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (known.has(t)) out.add(t);
    else if (t.length >= 3 && SUFFIX_RE.test(t) && !GENERIC.has(t)) out.add(t);
    else if (SUFFIX_TOKENS.has(t) && i > 0) {
      // jieba splits unknown names: 青石 + 镇.
      const prev = tokens[i - 1]!;
      if (prev.length >= 2 && prev.length <= 4 && HAN_RE.test(prev) && !GENERIC.has(prev + t))
        out.add(prev + t);
    }
  }
  return [...out];
}
