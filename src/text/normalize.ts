import { Converter } from 'opencc-js/t2cn';

/**
 * Text normalisation for analysis. The stored item keeps the original text; analysis sees a
 * half-width, simplified, lower-cased version without URLs, @mentions, emoji or 表情 codes,
 * which would otherwise become "keywords" and split near-copies apart.
 */

// Traditional (Taiwan / Hong Kong variants included) → mainland simplified.
const toCn = Converter({ from: 't', to: 'cn' });

/** Full-width ASCII (Ｆｕｌｌ，１２３) and the ideographic space become their half-width forms. */
const FULL_WIDTH_RE = /[\uff01-\uff5e\u3000]/;

export function toHalfWidth(text: string): string {
  if (!FULL_WIDTH_RE.test(text)) return text;
  let out = '';
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) {
      out += String.fromCharCode(c - 0xfee0);
      changed = true;
    } else if (c === 0x3000) {
      out += ' ';
      changed = true;
    } else out += text[i];
  }
  return changed ? out : text;
}

/**
 * Characters OpenCC changes on their own (≈3,000 traditional forms), found once at start-up.
 * Most posts are already simplified: testing this class is far cheaper than converting.
 */
let traditional: RegExp | null = null;
function traditionalRe(): RegExp {
  if (traditional) return traditional;
  let chars = '';
  for (let cp = 0x3400; cp <= 0x9fff; cp++) {
    const ch = String.fromCharCode(cp);
    if (toCn(ch) !== ch) chars += ch;
  }
  traditional = new RegExp(`[${chars}]`);
  return traditional;
}

/** Traditional → simplified Chinese (OpenCC); texts with no traditional character pass as is. */
export function toSimplified(text: string): string {
  return traditionalRe().test(text) ? toCn(text) : text;
}

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s\u3000-\u303f\uff00-\uffef<>"']+/gi;
// @name up to whitespace or punctuation; Weibo names mix Han, letters, digits, _ and -.
const MENTION_RE = /@[\p{L}\p{N}_-]{1,30}/gu;
// Pictographs, flag letters and the joiners / variation selectors that glue emoji sequences.
const EMOJI_RE = /\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]|\u{FE0F}|\u{200D}|\u{20E3}/gu;
// Weibo / WeChat 表情 codes like [哈哈] [怒] [doge]: short bracketed words.
const EMOTICON_RE = /\[[\p{Script=Han}a-z]{1,6}\]/gu;
const REPOST_MARK_RE = /\/\/(?=\s|$)|转发微博/g;
const SPACES_RE = /\s+/g;

/** Removes what must not count as words: links, mentions, emoji, 表情 codes, repost marks. */
export function stripNoise(text: string): string {
  return text
    .replace(URL_RE, ' ')
    .replace(MENTION_RE, ' ')
    .replace(EMOJI_RE, ' ')
    .replace(EMOTICON_RE, ' ')
    .replace(REPOST_MARK_RE, ' ')
    .replace(SPACES_RE, ' ')
    .trim();
}

/** Full normalisation for analysis: width, script, case, noise. */
export function normalize(text: string): string {
  // Emoticon codes are matched after lower-casing so [Doge] and [doge] both go.
  return stripNoise(toSimplified(toHalfWidth(text)).toLowerCase());
}

/** Whether a text contains Han characters at all (pure English / numbers are analysed lightly). */
export function hasHan(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}
