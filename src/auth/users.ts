import type { Db } from '../db/database.js';
import type { Principal } from './principal.js';

export async function loadUserPrincipal(db: Db, userId: number): Promise<Principal | null> {
  const u = await db
    .selectFrom('users')
    .select(['id', 'username', 'display_name', 'department_id', 'roles'])
    .where('id', '=', userId)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!u) return null;
  return {
    kind: 'user',
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    departmentId: u.department_id,
    roles: u.roles,
  };
}
