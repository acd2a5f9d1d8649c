import { normalizeDocNumber } from './docnumber.js';
import { parseChineseNumber } from '../text/numbers.js';

/**
 * Reads a policy document saved from a government website or typed in Word: finds the title, 文号,
 * 发文机关 and 成文日期 in its header and keeps the body as paragraphs. Pure (no I/O), so every
 * rule is tested on the seed files directly.
 */
export interface ParsedPolicy {
  title: string;
  docNumber: string | null;
  issuer: string;
  writtenOn: string | null;
  /** 发布时间 shown by the website the file was saved from, if any. */
  publishedOn: string | null;
  body: string;
}

/** Document types that end a Chinese official title (GB/T 9704 文种 plus common plan names). */
const TITLE_END =
  /(通知|通报|意见|方案|办法|规定|决定|要点|报告|批复|请示|函|公告|通告|细则|规划|纲要|计划|规则|条例|决议|命令|令|议案|纪要|指引|指南|清单|制度|措施)$/;
const ORG_END = /(人民政府|办公室|办公厅|委员会|局|厅|部|委|办|中心|政府|街道办事处|管委会)$/;
const SENTENCE_PUNCT = /[，。；：:,;！？!?]/;

/** Website chrome that is never part of the document. */
const NOISE = [
  /^当前位置/,
  /^【[^】]*】(\s*【[^】]*】?)*\s*(【字体[:：]?)?$/,
  /^•\s*\|?$/,
  /^[|｜•·\s]+$/,
  /^政府信息公开$/,
  /^(索引号|公文种类|主题分类|发布机构|生效日期|废止日期|有效性)[:：]/,
  /^(上一篇|下一篇|打印本页|关闭窗口|分享到)/,
];
/** From these markers on, the rest of the page is navigation. */
const END_MARKERS = [/^扫一扫在手机打开当前页/, /^【打印正文】/, /^相关文章$/, /^您访问的链接即将离开/];

const META_DATE = /^(?:发布时间|时间|发布日期)[:：]\s*(\d{4})-(\d{1,2})-(\d{1,2})/;
const META_FIELD = /^(发文机关|成文日期)[:：]\s*(.*)$/;
const SOURCE = /来源[:：]\s*([^\s\u3000]+)/;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function validDate(y: number, m: number, d: number): string | null {
  if (y < 1949 || y > 2200 || m < 1 || m > 12 || d < 1) return null;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= last ? `${y}-${pad(m)}-${pad(d)}` : null;
}

/**
 * A line that is only a date: 2018年6月28日, 二〇一六年六月三十日, 2016-06-30, or the bare digits
 * "2016630" left when a website dropped 年月日 (read as the one valid split, if unique).
 */
export function parseDateLine(line: string): string | null {
  const s = line.replace(/\s+/g, '');
  let m =
    /^([\d〇零一二三四五六七八九]{4})年([\d十一二三四五六七八九]{1,3})月([\d十一二三四五六七八九]{1,3})日$/.exec(
      s,
    );
  if (m) return validDate(parseChineseNumber(m[1]!), parseChineseNumber(m[2]!), parseChineseNumber(m[3]!));
  m = /^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$/.exec(s);
  if (m) return validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{4})(\d{2,4})$/.exec(s);
  if (m) {
    const y = Number(m[1]);
    const rest = m[2]!;
    const splits = new Set<string>();
    for (let i = 1; i < rest.length; i++) {
      const d = validDate(y, Number(rest.slice(0, i)), Number(rest.slice(i)));
      if (d && rest.slice(i)[0] !== '0') splits.add(d);
    }
    return splits.size === 1 ? [...splits][0]! : null;
  }
  return null;
}

/**
 * A line that is only a 文号, tolerating a website that dropped 〕 and 号
 * ("泸纳府办函〔2016131" is 泸纳府办函〔2016〕131号).
 */
export function parseDocNumberLine(line: string): string | null {
  const s = line.replace(/\s+/g, '');
  const exact = normalizeDocNumber(s, 2200);
  if (exact) return exact;
  const m = /^([\u3400-\u9fff]{2,20})[〔[(（【﹝](\d{4})(\d{1,6})号?$/.exec(s);
  return m ? normalizeDocNumber(`${m[1]}〔${m[2]}〕${m[3]}号`, 2200) : null;
}

function isNoise(line: string): boolean {
  return NOISE.some((re) => re.test(line));
}

function isTitleLike(line: string): boolean {
  return line.length >= 4 && line.length <= 120 && TITLE_END.test(line) && !SENTENCE_PUNCT.test(line);
}

function isShortFragment(line: string): boolean {
  return line.length <= 40 && !SENTENCE_PUNCT.test(line) && !parseDateLine(line) && !ORG_END.test(line);
}

function isAddressee(line: string): boolean {
  return /[:：]$/.test(line) && /各|有关|部门|单位/.test(line) && line.length <= 100;
}

/** Issuer named at the head of the title: "湛江市人民政府办公室关于印发…的通知". */
function issuerFromTitle(title: string): string {
  const i = title.indexOf('关于');
  if (i <= 1) return '';
  const head = title.slice(0, i);
  return ORG_END.test(head) ? head : '';
}

/** Organisation lines directly above a date line (the signature block). */
function signatureAbove(lines: string[], dateIdx: number): string {
  const names: string[] = [];
  for (let i = dateIdx - 1; i >= 0 && names.length < 3; i--) {
    const l = lines[i]!;
    if (l.length <= 30 && ORG_END.test(l) && !SENTENCE_PUNCT.test(l)) names.unshift(l);
    else break;
  }
  return names.join('、');
}

export function parsePolicyText(raw: string): ParsedPolicy {
  const all = raw
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) =>
      l
        .replace(/[\u00a0\u2000-\u200b\u3000\t\ufeff]/g, ' ')
        .replace(/ {2,}/g, ' ')
        .trim(),
    );

  let publishedOn: string | null = null;
  let metaIssuer = '';
  let metaWritten: string | null = null;
  let source = '';
  const lines: string[] = [];
  for (const full of all) {
    // Website info boxes prefix their fields with bullets ("• 发文机关:").
    const l = full.replace(/^[•·]\s*/, '');
    if (!l) continue;
    if (END_MARKERS.some((re) => re.test(l))) break;
    const date = META_DATE.exec(l);
    if (date) {
      publishedOn ??= validDate(Number(date[1]), Number(date[2]), Number(date[3]));
      source ||= SOURCE.exec(l)?.[1] ?? '';
      continue;
    }
    const meta = META_FIELD.exec(l);
    if (meta) {
      if (meta[1] === '发文机关') metaIssuer = meta[2]!.trim();
      else metaWritten = parseDateLine(meta[2]!.trim());
      continue;
    }
    if (/浏览次数|阅读[:：]\s*$|【字体/.test(l) || isNoise(l)) continue;
    lines.push(l);
  }

  // The title: the first title-like line of the head of the page, joined with a short line
  // above it when a long title was broken over two lines.
  let titleStart = -1;
  let titleEnd = -1;
  for (let i = 0; i < Math.min(lines.length, 20); i++) {
    const l = lines[i]!;
    if (!TITLE_END.test(l) || SENTENCE_PUNCT.test(l) || l.length > 120) continue;
    const joined = i > 0 && l.length <= 16 && isShortFragment(lines[i - 1]!);
    if (!joined && !isTitleLike(l)) continue;
    titleStart = joined ? i - 1 : i;
    titleEnd = i;
    break;
  }
  const title =
    titleStart >= 0 ? lines.slice(titleStart, titleEnd + 1).join('') : (lines[0] ?? '').slice(0, 120);

  // The head ends at the addressee ("各…:") or the first numbered section heading.
  let headEnd = lines.findIndex((l, i) => i > titleEnd && (isAddressee(l) || /^一、/.test(l)));
  if (headEnd < 0) headEnd = Math.min(lines.length, titleEnd + 6);
  const coverEnd = (() => {
    const k = lines.findIndex((l) => /^[一1][、.．]/.test(l));
    return k < 0 ? lines.length : k;
  })();

  let docNumber: string | null = null;
  let docNumberIdx = -1;
  for (let i = 0; i < headEnd; i++) {
    const d = parseDocNumberLine(lines[i]!);
    if (d) {
      docNumber = d;
      docNumberIdx = i;
      break;
    }
  }

  // 成文日期 and 发文机关: the signature of the cover letter, else the end of the document.
  let writtenOn = metaWritten;
  let issuer = metaIssuer;
  const coverDate = lines.findIndex((l, i) => i < coverEnd && parseDateLine(l) !== null);
  const tail = lines.length - 1 - [...lines].reverse().findIndex((l) => parseDateLine(l) !== null);
  const dateIdx = coverDate >= 0 ? coverDate : tail < lines.length && tail >= lines.length - 6 ? tail : -1;
  if (dateIdx >= 0) {
    writtenOn ??= parseDateLine(lines[dateIdx]!);
    issuer ||= signatureAbove(lines, dateIdx);
  }
  issuer ||= issuerFromTitle(title) || (ORG_END.test(source) ? source : '');

  // The body: everything after the title when the title heads the page, without the header
  // lines repeated in it (文号, the issuer's letterhead, the title again).
  const headed =
    titleStart >= 0 && lines.slice(0, titleStart).every((l) => isShortFragment(l) || ORG_END.test(l));
  const bodyLines = (headed ? lines.slice(titleEnd + 1) : lines).filter((l, i) => {
    const abs = headed ? i + titleEnd + 1 : i;
    if (abs === docNumberIdx) return false;
    if (headed && abs < headEnd && (l === title || issuer.split('、').includes(l))) return false;
    return true;
  });

  return { title, docNumber, issuer, writtenOn, publishedOn, body: bodyLines.join('\n') };
}
