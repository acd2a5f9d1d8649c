import { z, fields, parse } from '../shared/validation.js';
import { clockPolicySchema, type ClockPolicy } from './time-limits.js';

/*
 * The 时限配置 page edits a time limit as a form (窗口, 预警点, 升级步骤, 提醒间隔) rather than
 * JSON: this turns the posted fields into a ClockPolicy, and back for display. Pure.
 */

export const MAX_ESCALATION_STEPS = 4;
const UNITS = ['working_days', 'hours'] as const;

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
/** Forms post numbers as text; a blank or non-numeric value gets a Chinese message, not zod's English. */
const numberText = (what: string) =>
  z
    .string({ error: `请填写${what}` })
    .trim()
    .min(1, { message: `请填写${what}`, abort: true })
    .regex(/^\d+(\.\d+)?$/, `${what}须为数字`)
    .transform(Number);
const checkbox = z
  .unknown()
  .optional()
  .transform((v) => v === 'true' || v === 'on' || v === true);
/** Percentages separated by commas, 、 or spaces: "50, 80" → [0.5, 0.8]. */
const percentList = z
  .string({ error: '预警点须为百分比' })
  .max(100, '预警点过长')
  .default('')
  .transform((text, ctx) => {
    const parts = text.split(/[,，、;；\s]+/).filter(Boolean);
    const out: number[] = [];
    for (const p of parts) {
      const n = Number(p.replace(/[%％]$/, ''));
      if (!Number.isFinite(n) || n <= 0 || n >= 100) {
        ctx.addIssue({ code: 'custom', message: `“${p}”不是 1–99 之间的百分比` });
        return z.NEVER;
      }
      out.push(n / 100);
    }
    return out.sort((a, b) => a - b);
  });
const stepRow = z.object({ afterMinutes: z.unknown(), target: z.unknown() });

const timeLimitFormSchema = z
  .object({
    label: fields.text(100),
    windowUnit: z.enum(UNITS, { error: '请选择工作日或小时' }),
    windowAmount: numberText('窗口时长'),
    warnings: percentList,
    warnLastWorkingDay: checkbox,
    escalation: z
      .array(stepRow, { error: '升级步骤格式有误' })
      .max(10, '升级步骤过多')
      .default([])
      .transform((rows) => rows.filter((r) => !(blank(r.afterMinutes) && blank(r.target)))),
    renotifyMinutes: numberText('提醒间隔'),
    pausable: checkbox,
    extensionUnit: z.enum(UNITS, { error: '请选择工作日或小时' }).optional(),
    extensionAmount: z.string().trim().max(20).optional(),
  })
  .transform((f, ctx) => {
    const escalation = f.escalation.map((r, i) => {
      const minutes = typeof r.afterMinutes === 'string' ? r.afterMinutes.trim() : '';
      if (!/^\d+$/.test(minutes))
        ctx.addIssue({ code: 'custom', path: ['escalation', i, 'afterMinutes'], message: '须为整数分钟' });
      return { afterMinutes: Number(minutes), target: r.target };
    });
    let extension: { unit: (typeof UNITS)[number]; amount: number } | undefined;
    if (!blank(f.extensionAmount)) {
      const n = Number(f.extensionAmount);
      if (!Number.isFinite(n))
        ctx.addIssue({ code: 'custom', path: ['extensionAmount'], message: '延长时长须为数字' });
      extension = { unit: f.extensionUnit ?? f.windowUnit, amount: n };
    }
    return {
      label: f.label,
      config: {
        window: { unit: f.windowUnit, amount: f.windowAmount },
        warnings: f.warnings,
        warnLastWorkingDay: f.windowUnit === 'working_days' && f.warnLastWorkingDay,
        escalation,
        renotifyMinutes: f.renotifyMinutes,
        pausable: f.pausable,
        ...(extension ? { extension } : {}),
      },
    };
  });

/** The posted form as a time limit: the form's own checks, then the same schema as the API. */
export function parseTimeLimitForm(body: unknown): { label: string; config: ClockPolicy } {
  const { label, config } = parse(timeLimitFormSchema, body, '时限配置');
  return { label, config: parse(clockPolicySchema, config, '时限配置') };
}

/** What the form shows for a stored policy: percentages, and empty rows up to the maximum of steps. */
export function timeLimitFormValues(config: ClockPolicy) {
  const steps = config.escalation.map((s) => ({ afterMinutes: String(s.afterMinutes), target: s.target }));
  while (steps.length < MAX_ESCALATION_STEPS) steps.push({ afterMinutes: '', target: '' as never });
  return {
    windowUnit: config.window.unit,
    windowAmount: config.window.amount,
    warnings: config.warnings.map((w) => Math.round(w * 1000) / 10).join(', '),
    warnLastWorkingDay: config.warnLastWorkingDay,
    steps: steps.map((s, index) => ({ ...s, index })),
    renotifyMinutes: config.renotifyMinutes,
    pausable: config.pausable,
    extensionUnit: config.extension?.unit ?? config.window.unit,
    extensionAmount: config.extension?.amount ?? '',
  };
}
