import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { Principal, TokenScope } from './principal.js';
import type { Clock } from '../shared/clock.js';

const PREFIX = 'gop_';

export function newTokenSecret(): { token: string; hash: string; prefix: string } {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), prefix: token.slice(0, 10) };
}

/** Tokens carry 256 bits of entropy, so a fast hash is enough to store them safely. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function principalFromToken(db: Db, clock: Clock, token: string): Promise<Principal | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const row = await db
    .updateTable('api_tokens')
    .set({ last_used_at: clock.now() })
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .returning(['id', 'name', 'scopes'])
    .executeTakeFirst();
  if (!row) return null;
  return { kind: 'token', id: row.id, name: row.name, scopes: row.scopes as TokenScope[] };
}

/** A token principal by id, as long as the token is not revoked (re-checks of live sockets). */
export async function tokenPrincipalById(db: Db, id: number): Promise<Principal | null> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'scopes'])
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { kind: 'token', id: row.id, name: row.name, scopes: row.scopes as TokenScope[] } : null;
}
