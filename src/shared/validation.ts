import { z } from 'zod';
import { HttpProblem, type FieldError } from './errors.js';

export { z };

function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
}

/**
 * Parses untrusted input with a zod schema; on failure throws a 400 problem that names each
 * offending field, so clients know exactly what to fix.
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what = '请求'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error);
  const names = [...new Set(errors.map((e) => e.field))].join('、');
  throw HttpProblem.badRequest(`${what}字段有误：${names}`, errors);
}

/** Returns per-item errors without throwing, for batch endpoints that reject items one by one. */
export function check<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { ok: true; value: z.output<S> } | { ok: false; errors: FieldError[] } {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrors(result.error) };
}

/** Common field shapes. */
export const fields = {
  id: z.coerce.number().int().positive(),
  text: (max: number) =>
    z
      .string()
      .transform((s) => s.normalize('NFC').trim())
      .pipe(z.string().min(1, '不能为空').max(max, `不能超过 ${max} 个字符`)),
  optionalText: (max: number) =>
    z
      .string()
      .transform((s) => s.normalize('NFC').trim())
      .pipe(z.string().max(max, `不能超过 ${max} 个字符`))
      .optional(),
  isoDateTime: z.iso.datetime({ offset: true, message: '须为带时区的 ISO 8601 时间' }),
  /** A calendar date that really exists (2026-02-30 is refused). */
  isoDate: z.iso.date({ message: '须为存在的日期 YYYY-MM-DD' }),
};
