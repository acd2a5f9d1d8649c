/** Chinese digit characters, shared by every reader of Chinese numbers. */
export const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  〇: 0,
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
export const CHINESE_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };
const DIGITS = CHINESE_DIGITS;
const UNITS = CHINESE_UNITS;

/**
 * Numbers as Chinese texts write them: "3", "十二", "二十三", "两百" (with units) or "二〇一六"
 * (digit by digit, as years are written). NaN when the text is not a number.
 */
export function parseChineseNumber(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '' || ![...s].every((c) => c in DIGITS || c in UNITS)) return NaN;
  if (![...s].some((c) => c in UNITS)) return Number([...s].map((c) => DIGITS[c]).join(''));
  let total = 0;
  let digit = -1;
  for (const ch of s) {
    if (ch in DIGITS) digit = DIGITS[ch]!;
    else {
      total += (digit < 0 ? 1 : digit) * UNITS[ch]!;
      digit = -1;
    }
  }
  return total + (digit > 0 ? digit : 0);
}
