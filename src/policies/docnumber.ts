/**
 * 发文字号 (GB/T 9704): 发文机关代字 + 〔年份〕 + 序号 + 号, e.g. 泸纳府办函〔2016〕131号.
 * People type the year brackets as [] () 【】 ［］ （） ﹝﹞; all are stored as the standard 〔〕.
 * The year-first spelling found in old files ("[2009]保市政办351号") is reordered.
 */
const OPEN = '〔[(【﹝';
const CLOSE = '〕])】﹞';
const AGENCY = '[\\u3400-\\u9fff\\uf900-\\ufaffA-Za-z]{1,30}';
const YEAR = '(\\d{4})';
const BR_OPEN = `[${escape(OPEN)}]`;
const BR_CLOSE = `[${escape(CLOSE)}]`;

const STANDARD = new RegExp(`^(${AGENCY})${BR_OPEN}${YEAR}${BR_CLOSE}第?(\\d{1,6})号$`);
const YEAR_FIRST = new RegExp(`^${BR_OPEN}${YEAR}${BR_CLOSE}(${AGENCY})第?(\\d{1,6})号$`);

function escape(chars: string): string {
  return chars.replace(/[\]\\[()^-]/g, '\\$&');
}

export interface DocNumberParts {
  agency: string;
  year: number;
  serial: number;
}

/** The canonical 文号, or null when the text is not one. */
export function normalizeDocNumber(input: string, maxYear = new Date().getFullYear() + 1): string | null {
  // NFKC folds full-width digits and （）［］ to ASCII; 〔〕 and 【】 survive it.
  const s = input.normalize('NFKC').replace(/\s+/g, '');
  const m = STANDARD.exec(s);
  const y = YEAR_FIRST.exec(s);
  const parts = m
    ? { agency: m[1]!, year: m[2]!, serial: m[3]! }
    : y
      ? { agency: y[2]!, year: y[1]!, serial: y[3]! }
      : null;
  if (!parts) return null;
  const serial = Number(parts.serial);
  if (serial < 1) return null;
  const year = Number(parts.year);
  if (year < 1949 || year > maxYear) return null;
  return `${parts.agency}〔${year}〕${serial}号`;
}

export function docNumberParts(canonical: string): DocNumberParts | null {
  const m = /^(.+)〔(\d{4})〕(\d+)号$/.exec(canonical);
  return m ? { agency: m[1]!, year: Number(m[2]), serial: Number(m[3]) } : null;
}
