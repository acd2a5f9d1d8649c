import { z } from 'zod';

/** Who hears of a breach as time goes on (SPEC §2.3: 责任单位 → 舆情中心 → 分管领导 / 政务公开办). */
export const ESCALATION_TARGETS = ['opinion_center', 'government_office', 'publicity'] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];
export const ESCALATION_TARGET_LABELS: Record<EscalationTarget, string> = {
  opinion_center: '舆情中心',
  government_office: '分管领导 / 政务公开办',
  publicity: '新闻办',
};

const windowSchema = z.discriminatedUnion('unit', [
  z.object({ unit: z.literal('working_days'), amount: z.number().int().min(1).max(365) }),
  z.object({
    unit: z.literal('hours'),
    amount: z
      .number()
      .positive()
      .max(24 * 366),
  }),
]);

export const clockPolicySchema = z.object({
  window: windowSchema,
  /** Warning points as fractions of the window (0.5 = halfway). */
  warnings: z
    .array(z.number().gt(0).lt(1))
    .max(5)
    .refine((w) => new Set(w).size === w.length, '预警点不能重复'),
  /** Also warn at 00:00 of the last working day (working-day windows only). */
  warnLastWorkingDay: z.boolean().default(false),
  escalation: z
    .array(
      z.object({
        afterMinutes: z
          .number()
          .int()
          .min(0)
          .max(60 * 24 * 30),
        target: z.enum(ESCALATION_TARGETS),
      }),
    )
    .max(4),
  /** A critical alert nobody acknowledged is re-notified (one level up) after this many minutes. */
  renotifyMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
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

export const CLOCK_STATE_LABELS: Record<string, string> = {
  running: '计时中',
  met: '按时完成',
  met_late: '逾期完成',
  breached: '已超时',
  cancelled: '已取消',
};

export const CLOCK_KIND_LABELS: Record<string, string> = {
  interpretation: '政策解读',
  initial_release: '首发权威信息',
  press_conference: '新闻发布会',
  response: '舆情回应',
  disclosure_request: '依申请公开答复',
};
