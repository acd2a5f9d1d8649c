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
        afterMinutes: z
          .number()
          .int('须为整数分钟')
          .min(0, '不能为负数')
          .max(60 * 24 * 30, '不能超过 43200 分钟（30 天）'),
        target: z.enum(ESCALATION_TARGETS, { error: '请选择升级对象' }),
      }),
    )
    .max(4, '最多 4 个升级步骤'),
  /** A critical alert nobody acknowledged is re-notified (one level up) after this many minutes. */
  renotifyMinutes: z
    .number()
    .int('须为整数分钟')
    .min(1, '至少 1 分钟')
    .max(24 * 60, '不能超过 1440 分钟（1 天）'),
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

/** Defaults from SPEC §2 and the seeds; admins edit them, running clocks keep their snapshot. */
export const DEFAULT_CLOCK_POLICIES: ClockKindDefault[] = [
  {
    kind: 'interpretation',
    label: '政策解读（文件公开后 3 个工作日）',
    config: {
      window: { unit: 'working_days', amount: 3 },
      warnings: [0.5, 0.8],
      warnLastWorkingDay: true,
      escalation: [{ afterMinutes: 8 * 60, target: 'government_office' }],
      renotifyMinutes: 60,
      pausable: false,
    },
  },
  {
    kind: 'initial_release',
    label: '首发权威信息（重大突发事件 5 小时内）',
    config: {
      window: { unit: 'hours', amount: 5 },
      warnings: [0.5, 0.8],
      warnLastWorkingDay: false,
      escalation: [
        { afterMinutes: 30, target: 'opinion_center' },
        { afterMinutes: 60, target: 'government_office' },
      ],
      renotifyMinutes: 10,
      pausable: false,
    },
  },
  {
    kind: 'press_conference',
    label: '新闻发布会（重大突发事件 24 小时内）',
    config: {
      window: { unit: 'hours', amount: 24 },
      warnings: [0.5, 0.8],
      warnLastWorkingDay: false,
      escalation: [
        { afterMinutes: 60, target: 'opinion_center' },
        { afterMinutes: 180, target: 'government_office' },
      ],
      renotifyMinutes: 15,
      pausable: false,
    },
  },
  {
    kind: 'response',
    label: '舆情回应（48 小时内）',
    config: {
      window: { unit: 'hours', amount: 48 },
      warnings: [0.5, 0.8],
      warnLastWorkingDay: false,
      escalation: [
        { afterMinutes: 120, target: 'opinion_center' },
        { afterMinutes: 480, target: 'government_office' },
      ],
      renotifyMinutes: 30,
      pausable: false,
    },
  },
  {
    kind: 'disclosure_request',
    label: '依申请公开答复（20 个工作日，可延长 20 个工作日）',
    config: {
      window: { unit: 'working_days', amount: 20 },
      warnings: [0.5, 0.8],
      warnLastWorkingDay: true,
      escalation: [{ afterMinutes: 24 * 60, target: 'government_office' }],
      renotifyMinutes: 120,
      pausable: true,
      extension: { unit: 'working_days', amount: 20 },
    },
  },
];
