import type { Executor } from '../db/database.js';
import { HttpProblem } from '../shared/errors.js';

/**
 * A department id that arrives in a request must name an existing department: otherwise the
 * request is well-formed but refers to nothing, a 422 naming the field.
 */
export async function requireDepartment(
  db: Executor,
  id: number | null | undefined,
  field: string,
  title = '部门不存在',
): Promise<void> {
  if (id == null) return;
  const d = await db.selectFrom('departments').select('id').where('id', '=', id).executeTakeFirst();
  if (!d) throw HttpProblem.unprocessable(title, [{ field, message: '部门不存在' }]);
}
