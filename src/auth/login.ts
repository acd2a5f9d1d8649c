import type { Request } from 'express';
import type { Db } from '../db/database.js';
import { burnVerifyTime, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';
import { loadUserPrincipal } from './users.js';
import { HttpProblem } from '../shared/errors.js';
import { announcePrincipalChange } from './revocation.js';

/** Checks credentials; the same 401 whether the user is unknown, inactive or the password wrong. */
export async function checkCredentials(db: Db, username: string, password: string): Promise<Principal> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'password_hash', 'active'])
    .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
    .executeTakeFirst();
  if (!row) {
    await burnVerifyTime(password);
    throw HttpProblem.unauthorized('用户名或密码错误');
  }
  const ok = await verifyPassword(row.password_hash, password);
  const principal = ok && row.active ? await loadUserPrincipal(db, row.id) : null;
  if (!principal) throw HttpProblem.unauthorized('用户名或密码错误');
  return principal;
}

/** Starts a fresh session (against fixation) bound to the user. */
export async function startSession(req: Request, userId: number, db: Db): Promise<void> {
  const previous = req.session.userId ? req.sessionID : undefined;
  await new Promise<void>((resolve, reject) =>
    req.session.regenerate((err) => (err ? reject(err) : resolve())),
  );
  req.session.userId = userId;
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
  if (previous) await announcePrincipalChange(db, `session:${previous}`);
}

/** Ends the session and disconnects the sockets that were opened with it, on every node. */
export async function endSession(req: Request, db: Db): Promise<void> {
  const sid = req.session?.userId ? req.sessionID : undefined;
  await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
  if (sid) await announcePrincipalChange(db, `session:${sid}`);
}
