import type { Db } from '../db/database.js';
import type { Principal } from './principal.js';

/** Who a user is: the columns a principal and the account list both start from. */
export const USER_IDENTITY = [
  'users.id',
  'users.username',
  'users.display_name',
  'users.department_id',
  'users.roles',
] as const;

export async function loadUserPrincipal(db: Db, userId: number): Promise<Principal | null> {
  const u = await db
    .selectFrom('users')
    .leftJoin('departments', 'departments.id', 'users.department_id')
    .select([...USER_IDENTITY, 'departments.kind as department_kind'])
    .where('users.id', '=', userId)
    .where('users.active', '=', true)
    .executeTakeFirst();
  if (!u) return null;
  return {
    kind: 'user',
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    departmentId: u.department_id,
    ...(u.department_kind ? { departmentKind: u.department_kind } : {}),
    roles: u.roles,
  };
}
