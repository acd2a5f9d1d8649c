/**
 * What kind of incident a post reports, finer than its 突发 signal: two 灾害事故 posts from one
 * county, one about a flood and one about a gas explosion, are two incidents; a flood post saying
 * 强降雨 and another saying 洪水 are one. The kind is a term the clustering counts as telling.
 */
const KINDS: Record<string, readonly string[]> = {
  flood: [
    '洪水',
    '洪涝',
    '内涝',
    '暴雨',
    '特大暴雨',
    '强降雨',
    '降雨',
    '山洪',
    '溃坝',
    '决堤',
    '被淹',
    '淹没',
    '汛情',
  ],
  fire: ['火灾', '森林火灾', '起火', '着火', '失火', '大火', '火情', '山火', '烧毁', '过火', '明火'],
  explosion: ['爆炸', '爆燃', '闪爆', '发生爆炸', '燃气爆炸', '瓦斯爆炸', '锅炉爆炸'],
  leak: [
    '泄漏',
    '泄露',
    '危化品泄漏',
    '氯气泄漏',
    '液氨泄漏',
    '燃气泄漏',
    '煤气泄漏',
    '天然气泄漏',
    '毒气泄漏',
    '有毒气体',
    '毒气',
  ],
  traffic: [
    '交通事故',
    '车祸',
    '连环相撞',
    '多车相撞',
    '客车侧翻',
    '相撞',
    '撞车',
    '追尾',
    '侧翻',
    '翻车',
    '冲出路面',
  ],
  mine: ['矿难', '透水', '透水事故', '冒顶'],
  collapse: ['坍塌', '坍塌事故', '倒塌', '垮塌', '塌陷', '塌方'],
  landslide: ['山体滑坡', '滑坡', '泥石流'],
  earthquake: ['地震', '级地震', '震级', '震中', '余震', '强震', '震感'],
  storm: ['台风', '龙卷风', '冰雹', '暴雪', '雪灾'],
  water: ['沉船', '翻沉', '翻船', '触礁', '倾覆', '溺水', '溺亡', '坠河'],
  poisoning: [
    '食物中毒',
    '集体食物中毒',
    '疑似食物中毒',
    '一氧化碳中毒',
    '煤气中毒',
    '中毒',
    '误食',
    '毒蘑菇',
  ],
  epidemic: ['疫情', '聚集性疫情', '传染病', '确诊', '病例', '诺如病毒', '手足口病', '流感'],
  violence: [
    '持刀伤人',
    '持刀',
    '砍人',
    '砍伤',
    '行凶',
    '伤人',
    '刺伤',
    '捅伤',
    '枪击',
    '开枪',
    '命案',
    '杀人',
  ],
};

const KIND_OF = new Map<string, string>();
for (const [kind, words] of Object.entries(KINDS)) for (const w of words) KIND_OF.set(w, kind);

/** The incident kinds a post's tokens name, most mentioned first (at most two). */
export function hazardKinds(tokens: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const t of tokens) {
    const k = KIND_OF.get(t);
    if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([k]) => k);
}
