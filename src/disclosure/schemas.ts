import { DateTime } from 'luxon';
import { z, fields } from '../shared/validation.js';
import { ZONE } from '../shared/time.js';
import { applicantTypeOf, channelOf, MAX_EXTENSION_DAYS, outcomeOf } from './rules.js';
import { CHALLENGE_KINDS, CHALLENGE_RESULTS } from './tables.js';
import { CHALLENGE_KIND_LABELS, CHALLENGE_RESULT_LABELS } from './rules.js';

/**
 * An instant: ISO 8601 with offset, or a plain date (the 条例 counts days; a date means 00:00
 * Asia/Shanghai of that day).
 */
const instant = z
  .string()
  .trim()
  .transform((s, ctx) => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
      const d = DateTime.fromISO(s, { zone: ZONE });
      if (d.isValid) return d.toJSDate();
    } else if (z.iso.datetime({ offset: true }).safeParse(s).success) {
      return new Date(s);
    }
    ctx.addIssue({ code: 'custom', message: '须为带时区的 ISO 8601 时间或日期 YYYY-MM-DD' });
    return z.NEVER;
  });

const wordOrCode = <T>(of: (v: unknown) => T | undefined, what: string) =>
  z.unknown().transform((v, ctx) => {
    const x = of(v);
    if (x === undefined) {
      ctx.addIssue({ code: 'custom', message: `${what}无效` });
      return z.NEVER;
    }
    return x;
  });

export const channelField = wordOrCode(channelOf, '受理渠道');
export const applicantTypeField = wordOrCode(applicantTypeOf, '申请人类型');

export const registerSchema = z.object({
  channel: channelField,
  applicantType: applicantTypeField,
  applicantName: fields.text(200),
  contact: fields.text(200).optional(),
  address: fields.optionalText(300),
  content: fields.text(5000),
  purpose: fields.optionalText(1000),
  receivedAt: instant,
  departmentId: fields.id.optional(),
});
export type RegisterInput = z.infer<typeof registerSchema>;

/** The public site's form: received when the applicant confirms it (条例 Art. 31). */
export const publicRequestSchema = z.object({
  applicantType: applicantTypeField,
  applicantName: fields.text(200),
  contact: fields.text(200),
  address: fields.optionalText(300),
  content: fields.text(5000),
  purpose: fields.optionalText(1000),
});
export type PublicRequestInput = z.infer<typeof publicRequestSchema>;

export const lookupSchema = z.object({
  number: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{4,6}$/, '编号格式为 2026-0001'),
  contact: fields.text(200),
});

export const correctionSchema = z.object({
  requestedAt: instant,
  /** The date the notice states the applicant must correct by. */
  correctBy: fields.isoDate.optional(),
  note: fields.optionalText(2000),
});
export const correctedSchema = z.object({ receivedAt: instant, note: fields.optionalText(2000) });
export const consultationSchema = z.object({
  startedAt: instant,
  party: fields.optionalText(200),
  note: fields.optionalText(2000),
});
export const consultationEndSchema = z.object({ endedAt: instant, note: fields.optionalText(2000) });
export const extensionSchema = z.object({
  approvedBy: fields.text(100),
  reason: fields.text(1000),
  days: z.coerce
    .number({ message: '须为天数' })
    .int('须为整数')
    .min(1, '至少 1 个工作日')
    .max(MAX_EXTENSION_DAYS, `延长不能超过 ${MAX_EXTENSION_DAYS} 个工作日`),
  approvedAt: instant.optional(),
});
export const replySchema = z.object({
  outcome: wordOrCode(outcomeOf, '处理结果'),
  reason: fields.optionalText(5000),
  repliedAt: instant,
});
export const assignSchema = z.object({ departmentId: fields.id });

export const challengeSchema = z
  .object({
    kind: wordOrCode(
      (v) => CHALLENGE_KINDS.find((k) => k === v || CHALLENGE_KIND_LABELS[k] === v),
      '类型（行政复议 / 行政诉讼）',
    ),
    afterReview: z.boolean().default(false),
    filedOn: fields.isoDate,
    result: wordOrCode(
      (v) => CHALLENGE_RESULTS.find((k) => k === v || CHALLENGE_RESULT_LABELS[k] === v),
      '结果（维持 / 纠正 / 其他 / 尚未审结）',
    ).default('pending'),
    decidedOn: fields.isoDate.optional(),
    note: fields.optionalText(2000),
  })
  .superRefine((c, ctx) => {
    if (c.kind === 'review' && c.afterReview)
      ctx.addIssue({ code: 'custom', path: ['afterReview'], message: '只有行政诉讼可以是复议后起诉' });
    if (c.result !== 'pending' && !c.decidedOn)
      ctx.addIssue({ code: 'custom', path: ['decidedOn'], message: '请填写审结日期' });
    if (c.result === 'pending' && c.decidedOn)
      ctx.addIssue({ code: 'custom', path: ['result'], message: '已审结的请填写结果' });
    if (c.decidedOn && c.decidedOn < c.filedOn)
      ctx.addIssue({ code: 'custom', path: ['decidedOn'], message: '审结日期不能早于立案日期' });
  });
export type ChallengeInput = z.infer<typeof challengeSchema>;

export const challengeResultSchema = z
  .object({
    result: wordOrCode(
      (v) => CHALLENGE_RESULTS.find((k) => k === v || CHALLENGE_RESULT_LABELS[k] === v),
      '结果（维持 / 纠正 / 其他 / 尚未审结）',
    ),
    decidedOn: fields.isoDate.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.result !== 'pending' && !c.decidedOn)
      ctx.addIssue({ code: 'custom', path: ['decidedOn'], message: '请填写审结日期' });
  });

export const listQuerySchema = z.object({
  status: z.enum(['processing', 'correction', 'consultation', 'closed', 'open']).optional().catch(undefined),
  department: fields.id.optional().catch(undefined),
  channel: channelField.optional().catch(undefined),
  applicantType: applicantTypeField.optional().catch(undefined),
  year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

const count = z.coerce.number().int('须为整数').min(0, '不能为负数').max(10_000_000);
/** Table 二's rows the platform does not hold: entered by hand per year. */
export const annualInputsSchema = z.object({
  licensing: count.default(0),
  punishment: count.default(0),
  enforcement: count.default(0),
  /** 行政事业性收费, 万元. */
  fees: z.coerce.number().min(0, '不能为负数').max(1e9).default(0),
});
export type AnnualInputs = z.infer<typeof annualInputsSchema>;

export const normativeSchema = z.object({
  normativeKind: z
    .union([z.enum(['regulation', 'normative']), z.literal('规章'), z.literal('行政规范性文件'), z.null()])
    .transform((v) => (v === '规章' ? 'regulation' : v === '行政规范性文件' ? 'normative' : v)),
  repealedOn: fields.isoDate.nullable().default(null),
});
