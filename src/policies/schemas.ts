import { z, fields } from '../shared/validation.js';
import { normalizeDocNumber } from './docnumber.js';
import { DISCLOSURES, INTERPRETATION_FORMS, POLICY_STATUSES, type InterpretationForm } from './tables.js';
import { DISCLOSURE_LABELS, FORM_LABELS } from './model.js';

const BODY_MAX = 200_000;

/** '' from a form means "no 文号"; anything else must be a real one. */
const docNumber = z.union([z.string(), z.null()]).transform((v, ctx) => {
  if (v === null || v.trim() === '') return null;
  const n = normalizeDocNumber(v);
  if (!n) {
    ctx.addIssue({ code: 'custom', message: '文号格式不正确，应如 国办发〔2016〕80号' });
    return z.NEVER;
  }
  return n;
});

const writtenOn = z
  .union([z.literal(''), fields.isoDate, z.null()])
  .transform((v) => (v ? v : null))
  .refine((v) => v === null || (v >= '1949-10-01' && v <= '2200-12-31'), '成文日期超出范围');

/** Codes or their Chinese labels ("1 | 主动公开") are accepted, so forms and scripts stay simple. */
function codeOrLabel<C extends string>(codes: readonly C[], labels: Record<C, string>, what: string) {
  return z.string().transform((v, ctx) => {
    const s = v.trim();
    if ((codes as readonly string[]).includes(s)) return s as C;
    const byLabel = codes.find((c) => labels[c] === s);
    if (byLabel) return byLabel;
    ctx.addIssue({ code: 'custom', message: `${what}须为：${codes.map((c) => labels[c]).join('、')}` });
    return z.NEVER;
  });
}

export const disclosureField = codeOrLabel(DISCLOSURES, DISCLOSURE_LABELS, '公开属性');
export const formField = codeOrLabel<InterpretationForm>(INTERPRETATION_FORMS, FORM_LABELS, '解读形式');

const policyFields = {
  title: fields.text(300),
  docNumber: docNumber.optional(),
  issuer: fields.optionalText(100),
  draftingDepartmentId: fields.id,
  writtenOn: writtenOn.optional(),
  body: z
    .string()
    .max(BODY_MAX, `不能超过 ${BODY_MAX} 个字符`)
    .transform((s) => s.normalize('NFC').replace(/\r\n?/g, '\n').trim())
    .optional(),
  disclosure: disclosureField.optional(),
  disclosureReason: fields.optionalText(2000),
  requiresInterpretation: z.boolean().optional(),
  interpretationPlan: fields.optionalText(20_000),
};

export const createPolicySchema = z.object(policyFields).strict();
export type CreatePolicyInput = z.output<typeof createPolicySchema>;

export const updatePolicySchema = z
  .object({
    ...policyFields,
    title: policyFields.title.optional(),
    draftingDepartmentId: fields.id.optional(),
  })
  .strict();
export type UpdatePolicyInput = z.output<typeof updatePolicySchema>;

export const commentSchema = z.object({ comment: fields.optionalText(2000) });
export const returnSchema = z.object({ comment: fields.text(2000) });

export const publishSchema = z.object({ publishedAt: fields.isoDateTime.optional() });

const httpUrl = z
  .string()
  .trim()
  .max(1000, '不能超过 1000 个字符')
  .refine((v) => v === '' || /^https?:\/\/[^\s]+$/i.test(v), '须为 http:// 或 https:// 开头的网址')
  .optional();

export const interpretationSchema = z
  .object({
    form: formField,
    title: fields.text(300),
    channel: fields.optionalText(100),
    url: httpUrl,
    body: z
      .string()
      .max(BODY_MAX, `不能超过 ${BODY_MAX} 个字符`)
      .transform((s) => s.normalize('NFC').replace(/\r\n?/g, '\n').trim())
      .optional(),
    interpreter: fields.optionalText(100),
    interpreterIsPrincipal: z.boolean().optional(),
    publishedAt: fields.isoDateTime.optional(),
  })
  .strict();
export type InterpretationInput = z.output<typeof interpretationSchema>;

/** A correction: any of the fields an interpretation was recorded with, at least one. */
export const interpretationPatchSchema = interpretationSchema
  .partial()
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), '请至少提供一个要修改的字段');
export type InterpretationPatch = z.output<typeof interpretationPatchSchema>;

export const listQuerySchema = z.object({
  q: z.string().trim().max(100, '检索词不能超过 100 个字符').optional(),
  department: z.union([z.literal(''), fields.id]).optional(),
  year: z.union([z.literal(''), z.coerce.number().int().min(1949).max(2200)]).optional(),
  status: z.union([z.literal(''), z.enum(POLICY_STATUSES)]).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListQuery = z.output<typeof listQuerySchema>;
