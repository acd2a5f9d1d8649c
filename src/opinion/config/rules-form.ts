import { z, check } from '../../shared/validation.js';
import { HttpProblem } from '../../shared/errors.js';
import { AREAS } from '../analysis/lexicon.js';
import type { WarningRules } from '../analysis/rules.js';

/*
 * The 预警规则 section of /opinion/settings edits the warning rules as a Chinese form (labelled
 * fields, a checkbox per area) rather than JSON with English keys: this turns the posted fields
 * into WarningRules and back for display. Pure; bounds are within warningRulesSchema's.
 */

interface NumberField {
  name: string;
  label: string;
  /** Where the value lives in WarningRules. */
  path: string[];
  min: number;
  max: number;
  integer?: boolean;
  /** Shown and entered as a percentage of the stored fraction. */
  percent?: boolean;
}

interface Group {
  legend: string;
  note: string;
  /** The rule's on/off checkbox: its form name and where the flag lives. */
  enabled?: { name: string; path: string[] };
  fields: NumberField[];
  areas?: boolean;
}

const num = (
  name: string,
  label: string,
  path: string,
  min: number,
  max: number,
  opts: { integer?: boolean; percent?: boolean } = {},
): NumberField => ({ name, label, path: path.split('.'), min, max, ...opts });
const MONTH_HOURS = 24 * 30;

const GROUPS: Group[] = [
  {
    legend: '成为事件',
    note: '同一话题的信息达到此数量（且至少两位作者）即成为舆情事件；有突发事件信号的一条即成为事件。',
    fields: [num('promoteMinItems', '成为事件的最少信息数', 'promoteMinItems', 1, 10_000, { integer: true })],
  },
  {
    legend: '声量激增',
    note: '统计窗口内的信息数达到最少信息数，且超过此前基线时段平均每窗口信息数的若干倍时预警。',
    enabled: { name: 'spikeEnabled', path: ['spike', 'enabled'] },
    fields: [
      num('spikeWindowMinutes', '统计窗口（分钟）', 'spike.windowMinutes', 1, 24 * 60, { integer: true }),
      num('spikeBaselineHours', '对比基线时段（小时）', 'spike.baselineHours', 1, MONTH_HOURS),
      num('spikeMinItems', '窗口内最少信息数', 'spike.minItems', 1, 100_000, { integer: true }),
      num('spikeFactor', '超过基线的倍数', 'spike.factor', 1, 1000),
    ],
  },
  {
    legend: '重点领域负面',
    note: '事件属于所选重点领域，信息数达到最少信息数且负面信息占比达到阈值时预警。',
    enabled: { name: 'negativeEnabled', path: ['negativeArea', 'enabled'] },
    areas: true,
    fields: [
      num('negativeMinItems', '最少信息数', 'negativeArea.minItems', 1, 100_000, { integer: true }),
      num('negativePercent', '负面占比阈值（%）', 'negativeArea.minNegativeRatio', 1, 100, { percent: true }),
    ],
  },
  {
    legend: '突发事件信号',
    note: '信息中出现灾害事故、公共卫生、社会安全等突发事件信号时立即发出紧急预警。',
    enabled: { name: 'emergencyEnabled', path: ['emergency', 'enabled'] },
    fields: [],
  },
  {
    legend: '热度、聚类与去重',
    note: '一般无需修改：热度随时间减半的时长；两条信息归入同一话题、视为转发/洗稿的相似度与时间范围。',
    fields: [
      num('hotnessHalfLifeHours', '热度半衰期（小时）', 'hotnessHalfLifeHours', 0.5, MONTH_HOURS),
      num('clusterThreshold', '聚类相似度阈值（0.01–1）', 'cluster.threshold', 0.01, 1),
      num('clusterWindowHours', '聚类时间范围（小时）', 'cluster.windowHours', 1, MONTH_HOURS),
      num('dedupMinSimilarity', '转发/洗稿相似度阈值（0.01–1）', 'dedup.minSimilarity', 0.01, 1),
      num('dedupWindowHours', '转发/洗稿时间范围（小时）', 'dedup.windowHours', 1, MONTH_HOURS),
    ],
  },
];

type Tree = Record<string, unknown>;
const getAt = (r: WarningRules, path: string[]): unknown => path.reduce<unknown>((o, k) => (o as Tree)[k], r);
function setAt(r: WarningRules, path: string[], v: unknown): void {
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Tree)[k], r) as Tree;
  parent[path.at(-1)!] = v;
}

/** A number typed into a form field: every message names the field as the page labels it. */
function numberField(f: NumberField, legend: string) {
  const what = `「${legend}·${f.label}」`;
  return z
    .string({ error: `请填写${what}` })
    .trim()
    .min(1, { message: `请填写${what}`, abort: true })
    .regex(/^\d+(\.\d+)?$/, { message: `${what}须为数字`, abort: true })
    .transform(Number)
    .refine((n) => !f.integer || Number.isInteger(n), { message: `${what}须为整数`, abort: true })
    .refine((n) => n >= f.min && n <= f.max, `${what}须在 ${f.min}–${f.max} 之间`);
}
const checkbox = z
  .unknown()
  .optional()
  .transform((v) => v === 'true' || v === 'on');
const areaList = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.enum(AREAS, { error: '「重点领域负面·重点领域」含有未知的领域' })).max(AREAS.length),
);

const rulesFormSchema = z.object(
  Object.fromEntries([
    ...GROUPS.flatMap((g) => g.fields.map((f) => [f.name, numberField(f, g.legend)] as const)),
    ...GROUPS.flatMap((g) => (g.enabled ? [[g.enabled.name, checkbox] as const] : [])),
    ['negativeAreas', areaList],
  ]),
);

/**
 * The posted form as warning rules, over the current ones (so a field the form does not show
 * keeps its value). A 400 whose text lists every wrong field by its Chinese label.
 */
export function parseRulesForm(body: unknown, current: WarningRules): WarningRules {
  const r = check(rulesFormSchema, body);
  if (!r.ok) throw HttpProblem.badRequest(`预警规则未保存：${r.errors.map((e) => e.message).join('；')}`);
  const values = r.value as Record<string, unknown>;
  const rules = structuredClone(current);
  for (const g of GROUPS) {
    if (g.enabled) setAt(rules, g.enabled.path, values[g.enabled.name] as boolean);
    for (const f of g.fields) {
      const n = values[f.name] as number;
      setAt(rules, f.path, f.percent ? n / 100 : n);
    }
  }
  rules.negativeArea.areas = [...new Set(values.negativeAreas as string[])];
  return rules;
}

/** The form's groups with the rules' values, for the page. */
export function rulesFormView(rules: WarningRules) {
  return GROUPS.map((g) => ({
    legend: g.legend,
    note: g.note,
    enabled: g.enabled ? { name: g.enabled.name, checked: getAt(rules, g.enabled.path) === true } : null,
    fields: g.fields.map((f) => {
      const v = Number(getAt(rules, f.path));
      return {
        name: f.name,
        label: f.label,
        value: f.percent ? Math.round(v * 1000) / 10 : v,
        min: f.min,
        max: f.max,
        step: f.integer ? 1 : 'any',
      };
    }),
    areas: g.areas ? AREAS.map((a) => ({ value: a, checked: rules.negativeArea.areas.includes(a) })) : null,
  }));
}
