import type { EmojiSentiment } from './classify.js';

/**
 * Sentiment of emoji and Weibo/WeChat 表情 codes ([怒] [泪] [赞]). Normalisation removes them
 * before the lexicon sees the text, so they are read here from the raw text, in one pass.
 */
const NEGATIVE = new Set([...'😡😠🤬😤😭😢😥😰😱😨😩😫😖😣😞😔😟😕🙁☹😒🙄😓😪🤮🤢💔👎😑😶🥺😿']);
const POSITIVE = new Set([...'😀😃😄😁😊😍🥰😘😻👍👏🙏💪🎉🥳❤💕💖🌹✌😎🤗☺😇🌟✨🏆']);
const NEGATIVE_CODES = new Set([
  '怒',
  '泪',
  '哭',
  '大哭',
  '抓狂',
  '衰',
  '生病',
  '鄙视',
  '吐',
  '悲伤',
  '失望',
  '哼',
  '委屈',
  '晕',
  '汗',
  '怒骂',
  '伤心',
  '可怜',
  '弱',
  'no',
  '拜拜',
  '黑线',
  '闭嘴',
  '左哼哼',
  '右哼哼',
  '打脸',
  '微笑',
]);
const POSITIVE_CODES = new Set([
  '赞',
  '哈哈',
  '爱你',
  '心',
  '鼓掌',
  'good',
  '嘻嘻',
  '开心',
  '给力',
  '威武',
  '酷',
  '可爱',
  '偷笑',
  '太开心',
  '耶',
  'ok',
  '握手',
  '玫瑰',
  '赞啊',
  '作揖',
]);
const WEIGHT = 0.8;
const MAX_COUNTED = 3;

export function emojiSentiment(raw: string): EmojiSentiment {
  let neg = 0;
  let pos = 0;
  const found: string[] = [];
  const note = (e: string) => {
    if (found.length < 6 && !found.includes(e)) found.push(e);
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x5b /* [ */) {
      // Bounded look-ahead: a text of many '[' must not make this quadratic.
      let close = -1;
      for (let j = i + 1; j < raw.length && j <= i + 6; j++)
        if (raw.charCodeAt(j) === 0x5d) {
          close = j;
          break;
        }
      if (close > i) {
        const code = raw.slice(i + 1, close).toLowerCase();
        if (NEGATIVE_CODES.has(code)) {
          neg++;
          note(`[${code}]`);
        } else if (POSITIVE_CODES.has(code)) {
          pos++;
          note(`[${code}]`);
        }
        i = close;
      }
      continue;
    }
    // Emoji live in the symbol blocks (U+2600–U+2BFF) and the astral planes (surrogates); Han and
    // every other BMP letter is skipped without building a string.
    if (c < 0x2600 || (c >= 0x2c00 && c < 0xd800) || c > 0xdbff) continue;
    const cp = raw.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (cp > 0xffff) i++;
    if (NEGATIVE.has(ch)) {
      neg++;
      note(ch);
    } else if (POSITIVE.has(ch)) {
      pos++;
      note(ch);
    }
  }
  const score = (Math.min(pos, MAX_COUNTED) - Math.min(neg, MAX_COUNTED)) * WEIGHT;
  return { score: Math.round(score * 100) / 100, found };
}
