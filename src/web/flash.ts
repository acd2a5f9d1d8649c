import type { Request, Response } from 'express';
import { HttpProblem } from '../shared/errors.js';
import { fieldLabel } from '../shared/validation.js';

type Flash = { kind: 'ok' | 'error'; text: string };

/**
 * Sets the one-time message and redirects only once the session is saved: express-session would
 * otherwise save while the 303 is already out, and a fast browser can load the next page first
 * and miss the message.
 */
export async function redirectWithFlash(
  req: Request,
  res: Response,
  to: string,
  flash: Flash,
): Promise<void> {
  req.session.flash = flash;
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
  res.redirect(303, to);
}

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
  let flash: Flash;
  try {
    flash = { kind: 'ok', text: await action() };
  } catch (err) {
    if (!(err instanceof HttpProblem) || err.status >= 500) throw err;
    const fieldText = err.extra.errors?.map((e) => `${fieldLabel(e.field)}：${e.message}`).join('；');
    flash = {
      kind: 'error',
      text: fieldText ? `${err.detail}（${fieldText}）` : (err.detail ?? err.title),
    };
  }
  await redirectWithFlash(req, res, back, flash);
}
