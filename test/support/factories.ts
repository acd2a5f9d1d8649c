import type { Role } from '../../src/db/schema.js';
import { AccountsService } from '../../src/accounts/service.js';
import type { TestPlatform } from './platform.js';

let seq = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}`;

export async function makeDepartment(
  tp: TestPlatform,
  name = unique('部门'),
  kind?: 'department' | 'opinion_center' | 'government_office' | 'publicity',
) {
  return new AccountsService(tp.platform.core).createDepartment(
    { actor: undefined },
    { name, ...(kind ? { kind } : {}) },
  );
}

export const PASSWORD = 'password-1234';

export async function makeUser(
  tp: TestPlatform,
  roles: Role[],
  departmentId?: number,
  username = unique('u'),
) {
  const dept = departmentId ?? (await makeDepartment(tp)).id;
  const row = await new AccountsService(tp.platform.core).createUser(
    { actor: undefined },
    { username, password: PASSWORD, displayName: `测试${username}`, departmentId: dept, roles },
  );
  return { ...row, password: PASSWORD, departmentId: dept };
}
