import { login, type Agent, type TestPlatform } from '../support/platform.js';
import { makeDepartment, makeUser } from '../support/factories.js';

export type Who = { agent: Agent; csrf: string };

/** The disclosure office (a supervisor) and drafters of two departments, A answering requests. */
export async function disclosureCast(tp: TestPlatform) {
  const deptA = (await makeDepartment(tp, '区住建局')).id;
  const deptB = (await makeDepartment(tp, '区教育局')).id;
  const sup = await makeUser(tp, ['supervisor']);
  const a = await makeUser(tp, ['drafter'], deptA);
  const b = await makeUser(tp, ['drafter'], deptB);
  return {
    deptA,
    deptB,
    office: (await login(tp, sup.username, sup.password)) as Who,
    drafterA: (await login(tp, a.username, a.password)) as Who,
    drafterB: (await login(tp, b.username, b.password)) as Who,
  };
}
