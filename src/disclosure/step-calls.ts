import type { Ctx } from '../shared/context.js';
import { fromLocalInput } from '../shared/time.js';
import { parse, type z } from '../shared/validation.js';
import type { DisclosureService } from './service.js';
import {
  assignSchema,
  challengeSchema,
  consultationEndSchema,
  consultationSchema,
  correctedSchema,
  correctionSchema,
  extensionSchema,
  replySchema,
} from './schemas.js';

type Detail = Awaited<ReturnType<DisclosureService['detail']>>;

/** One step on a request, as the API (`POST /api/disclosure-requests/:id/<api>`) and the page form take it. */
export interface StepCall {
  /** null: the API names this step otherwise (`PATCH /api/disclosure-requests/:id` assigns). */
  api: string | null;
  page: string;
  /** 201 where the step creates a record of its own (a review or suit). */
  status: 200 | 201;
  /** The page's flash after the step. */
  done: string;
  /** The page form's fields as the schema reads them. */
  form(b: Record<string, unknown>): unknown;
  call(svc: DisclosureService, ctx: Ctx, id: number, raw: unknown): Promise<Detail>;
}

/** Blank form fields are "not given"; `…At` fields are datetime-local values, Asia/Shanghai wall time. */
export function formInput(b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) out[k] = k.endsWith('At') ? fromLocalInput(v) : opt(v);
  return out;
}

/** A blank form field is "not given". */
export const opt = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

function stepCall<S extends z.ZodType>(
  path: string | { api: string | null; page: string; status?: 201 },
  schema: S,
  what: string,
  run: (svc: DisclosureService, ctx: Ctx, id: number, input: z.output<S>) => Promise<Detail>,
  done: string,
  form: (b: Record<string, unknown>) => unknown = formInput,
): StepCall {
  const { api, page, status = 200 } = typeof path === 'string' ? { api: path, page: path } : path;
  return {
    api,
    page,
    status,
    done,
    form,
    call: (svc, ctx, id, raw) => run(svc, ctx, id, parse(schema, raw, what)),
  };
}

export const STEP_CALLS: StepCall[] = [
  stepCall(
    'correction',
    correctionSchema,
    '补正告知',
    (s, c, id, i) => s.correction(c, id, i),
    '已发出补正告知，计时停止',
  ),
  stepCall(
    'corrected',
    correctedSchema,
    '补正',
    (s, c, id, i) => s.corrected(c, id, i),
    '已收到补正，重新起算答复期限',
  ),
  stepCall(
    'consultation',
    consultationSchema,
    '征求意见',
    (s, c, id, i) => s.consultation(c, id, i),
    '已开始征求意见，计时暂停',
  ),
  stepCall(
    { api: 'consultation/end', page: 'consultation-end' },
    consultationEndSchema,
    '征求意见',
    (s, c, id, i) => s.consultationEnd(c, id, i),
    '征求意见结束，恢复计时',
  ),
  stepCall(
    'extension',
    extensionSchema,
    '延期答复',
    (s, c, id, i) => s.extension(c, id, i),
    '已延长答复期限',
  ),
  stepCall('reply', replySchema, '答复', (s, c, id, i) => s.reply(c, id, i), '已答复'),
  stepCall(
    { api: null, page: 'assign' },
    assignSchema,
    '答复部门',
    (s, c, id, i) => s.assign(c, id, i.departmentId),
    '已指定答复部门',
  ),
  stepCall(
    { api: 'challenges', page: 'challenges', status: 201 },
    challengeSchema,
    '复议或诉讼',
    (s, c, id, i) => s.addChallenge(c, id, i),
    '已登记',
    (b) => ({
      ...formInput(b),
      kind: b.kind,
      afterReview: b.afterReview === 'true' || b.afterReview === 'on',
    }),
  ),
];
