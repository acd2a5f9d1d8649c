import type { HttpProblem } from '../../shared/errors.js';
import { localInputToIso } from '../views.js';

const checked = (v: unknown) => v === 'on' || v === 'true' || v === '1';

/** A policy form's fields as the JSON API expects them. */
export function policyFromForm(body: Record<string, unknown>) {
  const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
  return {
    title: text('title'),
    docNumber: text('docNumber'),
    issuer: text('issuer'),
    draftingDepartmentId: text('draftingDepartmentId'),
    writtenOn: text('writtenOn'),
    body: text('body'),
    disclosure: text('disclosure'),
    disclosureReason: text('disclosureReason'),
    requiresInterpretation: checked(body.requiresInterpretation),
    interpretationPlan: text('interpretationPlan'),
  };
}

export function interpretationFromForm(body: Record<string, unknown>) {
  const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
  return {
    form: text('form') ?? '',
    title: text('title'),
    channel: text('channel'),
    url: text('url'),
    body: text('body'),
    interpreter: text('interpreter'),
    interpreterIsPrincipal: checked(body.interpreterIsPrincipal),
    publishedAt: localInputToIso(body.publishedAt),
  };
}

/** Where an attachment's delete button may send the user back to (never an outside URL). */
export function workspaceBack(v: unknown): string {
  return typeof v === 'string' && /^\/workspace\/(policies|interpretations)\/\d+$/.test(v) ? v : '/workspace';
}

export function problemText(err: HttpProblem): string {
  const f = err.extra.errors?.map((e) => `${e.field}：${e.message}`).join('；');
  return f ? `${err.detail}（${f}）` : (err.detail ?? err.title);
}
