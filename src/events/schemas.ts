import { z, fields } from '../shared/validation.js';
import { ACTION_KINDS, SEVERITIES } from './tables.js';

const url = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => s === '' || /^https?:\/\/\S+$/i.test(s), '须为 http(s) 网址')
  .optional();

export const recordEventSchema = z.object({
  title: fields.text(200),
  summary: fields.optionalText(5000),
  detectedAt: fields.isoDateTime,
  severity: z.enum(SEVERITIES),
  emergency: z.boolean(),
  responsibleDepartmentId: fields.id.optional(),
  spokespersonId: fields.id.optional(),
});

export const triageSchema = z
  .object({
    /** A detected event's title is its first post cut off: the analyst names the matter. */
    title: fields.text(200).optional(),
    severity: z.enum(SEVERITIES).optional(),
    emergency: z.boolean().optional(),
    responsibleDepartmentId: fields.id.nullable().optional(),
    spokespersonId: fields.id.nullable().optional(),
  })
  .strict();

/** 确认 from the event page: the severity is chosen explicitly, never a silent default. */
export const confirmSchema = z.object({
  severity: z.enum(SEVERITIES, { message: '请选择级别' }),
  emergency: z.boolean(),
});

export const actionSchema = z
  .object({
    kind: z.enum(ACTION_KINDS),
    occurredAt: fields.isoDateTime.optional(),
    /** A press conference can be planned before it is held. */
    planned: z.boolean().default(false),
    plannedAt: fields.isoDateTime.optional(),
    place: fields.optionalText(200),
    spokesperson: fields.optionalText(100),
    keyPoints: fields.optionalText(5000),
    channel: fields.optionalText(100),
    url,
    text: fields.optionalText(20000),
    /** Published in the public 回应关切 column. */
    public: z.boolean().optional(),
  })
  .superRefine((a, ctx) => {
    if (a.planned) {
      if (a.kind !== 'press_conference')
        ctx.addIssue({ code: 'custom', path: ['planned'], message: '只有新闻发布会可以先计划' });
      if (!a.plannedAt) ctx.addIssue({ code: 'custom', path: ['plannedAt'], message: '请填写计划召开时间' });
    } else if (!a.occurredAt)
      ctx.addIssue({ code: 'custom', path: ['occurredAt'], message: '请填写发生时间' });
  });
export type ActionInput = z.infer<typeof actionSchema>;

/** Show or withdraw a recorded response in the public 回应关切 column. */
export const actionPublicSchema = z.object({ public: z.boolean() }).strict();

export const heldSchema = z.object({
  occurredAt: fields.isoDateTime,
  channel: fields.optionalText(100),
  url,
  text: fields.optionalText(20000),
});

export const reasonSchema = z.object({ reason: fields.optionalText(500) });
