import { z } from 'zod';

/** Who hears of a breach as time goes on (SPEC §2.3: 责任单位 → 舆情中心 → 分管领导 / 政务公开办). */
export const ESCALATION_TARGETS = ['opinion_center', 'government_office', 'publicity'] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];
export const ESCALATION_TARGET_LABELS: Record<EscalationTarget, string> = {
  opinion_center: '舆情中心',
  government_office: '分管领导 / 政务公开办',
  publicity: '新闻办',
};

const windowSchema = z.discriminatedUnion(
  'unit',
  [
    z.object({
      unit: z.literal('working_days'),
      amount: z.number().int('工作日须为整数').min(1, '至少 1 个工作日').max(365, '不能超过 365 个工作日'),
    }),
    z.object({
      unit: z.literal('hours'),
      amount: z
        .number()
        .positive('须大于 0 小时')
        .max(24 * 366, '不能超过 8784 小时'),
    }),
  ],
  { error: '单位须为工作日或小时' },
);

const wholeMinutes = (min: number, minText: string, max: number, maxText: string) =>
  z.number().int('须为整数分钟').min(min, minText).max(max, maxText);

export const clockPolicySchema = z.object({
  window: windowSchema,
  /** Warning points as fractions of the window (0.5 = halfway). */
  warnings: z
    .array(z.number().gt(0, '须在时限之内（大于 0）').lt(1, '须在时限之内（小于 100%）'))
    .max(5, '最多 5 个预警点')
    .refine((w) => new Set(w).size === w.length, '预警点不能重复'),
  /** Also warn at 00:00 of the last working day (working-day windows only). */
  warnLastWorkingDay: z.boolean().default(false),
  escalation: z
    .array(
      z.object({
        afterMinutes: wholeMinutes(0, '不能为负数', 60 * 24 * 30, '不能超过 43200 分钟（30 天）'),
        target: z.enum(ESCALATION_TARGETS, { error: '请选择升级对象' }),
      }),
    )
    .max(4, '最多 4 个升级步骤'),
  /** A critical alert nobody acknowledged is re-notified (one level up) after this many minutes. */
  renotifyMinutes: wholeMinutes(1, '至少 1 分钟', 24 * 60, '不能超过 1440 分钟（1 天）'),
  /** 依申请公开: the clock can be paused (third-party consultation) and extended once. */
  pausable: z.boolean().default(false),
  extension: windowSchema.optional(),
});
export type ClockPolicy = z.infer<typeof clockPolicySchema>;

export interface ClockKindDefault {
  kind: string;
  label: string;
  config: ClockPolicy;
}

/**
 * Every default warns at half and four fifths of the window; a working-day window also warns on its
 * last working day. Nothing pauses unless it says so.
 */
function clockDefault(
  kind: string,
  label: string,
  window: ClockPolicy['window'],
  escalation: ClockPolicy['escalation'],
  renotifyMinutes: number,
  more: Partial<ClockPolicy> = {},
): ClockKindDefault {
  const warnLastWorkingDay = window.unit === 'working_days';
  const config = {
    window,
    warnings: [0.5, 0.8],
    warnLastWorkingDay,
    escalation,
    renotifyMinutes,
    pausable: false,
  };
  return { kind, label, config: { ...config, ...more } };
}

const hours = (amount: number) => ({ unit: 'hours', amount }) as const;
const workingDays = (amount: number) => ({ unit: 'working_days', amount }) as const;
const toOffice = (afterMinutes: number) => [{ afterMinutes, target: 'government_office' as const }];
/** The event clocks escalate to 舆情中心 first, then to 分管领导 / 政务公开办 (SPEC §2.3). */
const toCenterThenOffice = (center: number, office: number) => [
  { afterMinutes: center, target: 'opinion_center' as const },
  ...toOffice(office),
];

/** Defaults from SPEC §2 and the seeds; admins edit them, running clocks keep their snapshot. */
export const DEFAULT_CLOCK_POLICIES: ClockKindDefault[] = [
  clockDefault('interpretation', '政策解读（文件公开后 3 个工作日）', workingDays(3), toOffice(8 * 60), 60),
  clockDefault(
    'initial_release',
    '首发权威信息（重大突发事件 5 小时内）',
    hours(5),
    toCenterThenOffice(30, 60),
    10,
  ),
  clockDefault(
    'press_conference',
    '新闻发布会（重大突发事件 24 小时内）',
    hours(24),
    toCenterThenOffice(60, 180),
    15,
  ),
  clockDefault('response', '舆情回应（48 小时内）', hours(48), toCenterThenOffice(120, 480), 30),
  clockDefault(
    'disclosure_request',
    '依申请公开答复（20 个工作日，可延长 20 个工作日）',
    workingDays(20),
    toOffice(24 * 60),
    120,
    { pausable: true, extension: workingDays(20) },
  ),
];
