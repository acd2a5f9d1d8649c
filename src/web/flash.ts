import type { Request, Response } from 'express';
import { HttpProblem } from '../shared/errors.js';

/**
 * Runs a form action and redirects back with a message: the Post/Redirect/Get pattern every
 * working page uses. Client errors become an error flash; anything else propagates.
 */
export async function withFlash(
  req: Request,
  res: Response,
  back: string,
  action: () => Promise<string>,
): Promise<void> {
  try {
    req.session.flash = { kind: 'ok', text: await action() };
  } catch (err) {
    if (!(err instanceof HttpProblem) || err.status >= 500) throw err;
    const fieldText = err.extra.errors?.map((e) => `${e.field}：${e.message}`).join('；');
    req.session.flash = {
      kind: 'error',
      text: fieldText ? `${err.detail}（${fieldText}）` : (err.detail ?? err.title),
    };
  }
  res.redirect(303, back);
}
