/**
 * `npm run seed:demo`: fills the database with a realistic demo county (示例区) so a newcomer can
 * sign in under every role and click through every page.
 *
 * Connects exactly as `npm start` does (DATABASE_URL, else the embedded PostgreSQL in DATA_DIR),
 * migrates, then runs each step of DEMO_STEPS. Every step is idempotent: it looks up what exists
 * and creates only what is missing, so the script can be re-run at any time and never overwrites
 * data (or passwords) someone changed by hand. Capabilities add their demo data by appending a
 * step that receives the accounts created here.
 */
import { pathToFileURL } from 'node:url';
import type { Core } from '../src/context.js';
import type { Role } from '../src/db/schema.js';
import { ConfigError } from '../src/shared/config.js';
import { withCore } from './lib/with-core.js';
import { AccountsService, ROLE_LABELS, type DepartmentKind } from '../src/accounts/service.js';
import { seedDisclosure } from '../src/disclosure/demo.js';
import { seedResponses } from '../src/events/demo.js';
import { seedPolicies } from '../src/policies/demo.js';
import { seedHistory } from '../src/reports/demo-history.js';
import { seedReferenceData } from '../src/bootstrap.js';

/** The one password of every demo account. Demo data only: never seed a production database. */
export const DEMO_PASSWORD = 'demo1234';

export const DEMO_DEPARTMENTS: { key: string; name: string; kind: DepartmentKind }[] = [
  // Same name the first start gives the admin's department, so the two never duplicate.
  { key: 'gov', name: '区政府办公室（政务公开办）', kind: 'government_office' },
  { key: 'publicity', name: '区委宣传部（新闻办）', kind: 'publicity' },
  { key: 'opinion', name: '区舆情中心', kind: 'opinion_center' },
  { key: 'housing', name: '区住建局', kind: 'department' },
  { key: 'education', name: '区教育局', kind: 'department' },
  { key: 'health', name: '区卫健局', kind: 'department' },
  { key: 'emergency', name: '区应急管理局', kind: 'department' },
  { key: 'market', name: '区市场监管局', kind: 'department' },
  { key: 'ecology', name: '区生态环境局', kind: 'department' },
  { key: 'chengguan', name: '城关街道', kind: 'town' },
  { key: 'donghu', name: '东湖街道', kind: 'town' },
  { key: 'qingshi', name: '青石镇', kind: 'town' },
];

type DeptKey = (typeof DEMO_DEPARTMENTS)[number]['key'];

export const DEMO_USERS: { username: string; displayName: string; dept: DeptKey; roles: Role[] }[] = [
  { username: 'demo.admin', displayName: '赵管理（系统管理员）', dept: 'gov', roles: ['admin'] },
  { username: 'leader', displayName: '王建国（分管副区长）', dept: 'gov', roles: ['supervisor'] },
  { username: 'gongkai', displayName: '李文静（政务公开办）', dept: 'gov', roles: ['supervisor'] },
  { username: 'duty.gov', displayName: '陈值守（区政府总值班室）', dept: 'gov', roles: ['duty'] },
  { username: 'xwb.fayan', displayName: '刘明（区新闻发言人）', dept: 'publicity', roles: ['spokesperson'] },
  { username: 'yq.analyst', displayName: '孙晓（舆情分析员）', dept: 'opinion', roles: ['analyst'] },
  { username: 'yq.analyst2', displayName: '周悦（舆情分析员）', dept: 'opinion', roles: ['analyst'] },
  { username: 'yq.duty', displayName: '吴航（舆情值班员）', dept: 'opinion', roles: ['duty'] },
  { username: 'zj.drafter', displayName: '郑工（住建局起草）', dept: 'housing', roles: ['drafter'] },
  { username: 'zj.fayan', displayName: '冯涛（住建局发言人）', dept: 'housing', roles: ['spokesperson'] },
  { username: 'jy.drafter', displayName: '何琳（教育局起草）', dept: 'education', roles: ['drafter'] },
  { username: 'jy.fayan', displayName: '许诺（教育局发言人）', dept: 'education', roles: ['spokesperson'] },
  { username: 'wj.drafter', displayName: '韩梅（卫健局起草）', dept: 'health', roles: ['drafter'] },
  { username: 'wj.fayan', displayName: '曹宁（卫健局发言人）', dept: 'health', roles: ['spokesperson'] },
  { username: 'yj.drafter', displayName: '邓刚（应急局起草）', dept: 'emergency', roles: ['drafter'] },
  {
    username: 'yj.fayan',
    displayName: '彭勇（应急局发言人）',
    dept: 'emergency',
    roles: ['spokesperson', 'duty'],
  },
  { username: 'sj.drafter', displayName: '袁芳（市场监管局起草）', dept: 'market', roles: ['drafter'] },
  { username: 'st.drafter', displayName: '蒋青（生态环境局起草）', dept: 'ecology', roles: ['drafter'] },
  {
    username: 'cg.staff',
    displayName: '沈杰（城关街道）',
    dept: 'chengguan',
    roles: ['drafter', 'spokesperson'],
  },
  { username: 'dh.staff', displayName: '韦丽（东湖街道）', dept: 'donghu', roles: ['drafter'] },
  { username: 'qs.staff', displayName: '钱进（青石镇）', dept: 'qingshi', roles: ['drafter', 'duty'] },
];

export interface DemoAccounts {
  /** Department id by DEMO_DEPARTMENTS key. */
  departments: Record<DeptKey, number>;
  /** User id by username. */
  users: Record<string, number>;
  created: { departments: number; users: number };
}

/** Creates the missing departments and users of the demo county; leaves existing ones alone. */
export async function seedAccounts(core: Core): Promise<DemoAccounts> {
  const svc = new AccountsService(core);
  const ctx = { actor: undefined, requestId: 'seed-demo' };
  const out: DemoAccounts = { departments: {}, users: {}, created: { departments: 0, users: 0 } };

  for (const d of DEMO_DEPARTMENTS) {
    let q = core.db.selectFrom('departments').select('id').orderBy('id');
    // One government office per county: reuse whichever the first start created.
    q = d.kind === 'government_office' ? q.where('kind', '=', d.kind) : q.where('name', '=', d.name);
    const existing = await q.executeTakeFirst();
    if (existing) out.departments[d.key] = existing.id;
    else {
      out.departments[d.key] = (await svc.createDepartment(ctx, { name: d.name, kind: d.kind })).id;
      out.created.departments++;
    }
  }

  for (const u of DEMO_USERS) {
    const existing = await core.db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['username']), '=', u.username.toLowerCase()))
      .executeTakeFirst();
    if (existing) out.users[u.username] = existing.id;
    else {
      const row = await svc.createUser(ctx, {
        username: u.username,
        password: DEMO_PASSWORD,
        displayName: u.displayName,
        departmentId: out.departments[u.dept]!,
        roles: u.roles,
      });
      out.users[u.username] = row.id;
      out.created.users++;
    }
  }
  return out;
}

/**
 * A step of the demo seed. Capabilities append theirs to DEMO_STEPS; each must be idempotent, say
 * what it created (the line printed after its name) and throw when it cannot do its part — the
 * seed never reports work it did not do.
 */
export type DemoSeedStep = (core: Core, accounts: DemoAccounts) => Promise<string | void>;

export const DEMO_STEPS: { name: string; run: DemoSeedStep }[] = [
  {
    name: '政策文件与解读',
    run: async (core, accounts) => `政策文件新建 ${await seedPolicies(core, accounts)} 份`,
  },
  { name: '值班表与舆情回应事件', run: seedResponses },
  {
    name: '近三个月历史数据（解读、舆情事件、回应、问责、日报周报存档）',
    run: async (core, accounts) => {
      const r = await seedHistory(core, accounts);
      if (!r.created && !r.present)
        throw new Error('缺少演示账号（gongkai、leader、yq.analyst），无法生成历史数据');
      return r.created
        ? `已生成近三个月的历史数据：历史政策文件 ${r.documents} 份，历史舆情事件 ${r.events} 个`
        : '历史数据已存在，未改动';
    },
  },
  { name: '依申请公开（上年度报告与各环节申请）', run: seedDisclosure },
];

/** Display width in a terminal: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
      ch,
    )
      ? 2
      : 1;
  return w;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => width(r[i]!))));
  const line = (r: string[]) =>
    r
      .map((c, i) => c + ' '.repeat(widths[i]! - width(c)))
      .join('  ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

async function accountsTable(core: Core): Promise<string> {
  const names = DEMO_USERS.map((u) => u.username);
  const users = await new AccountsService(core).listUsers();
  const rows = users
    .filter((u) => names.includes(u.username) || u.roles.includes('admin'))
    .map((u) => [
      u.username,
      names.includes(u.username) ? DEMO_PASSWORD : '（启动时设置）',
      u.roles.map((r) => ROLE_LABELS[r]).join('、'),
      u.department_name,
      u.display_name,
    ]);
  return table([['用户名', '密码', '角色', '部门', '姓名'], ...rows]);
}

async function main(): Promise<void> {
  await withCore(async (core) => {
    // The reference data the first start writes (time-limit policies, the calendar's holidays),
    // so the seed works on a data directory the platform has never started on, too.
    await seedReferenceData(core);
    const accounts = await seedAccounts(core);
    for (const step of DEMO_STEPS) {
      process.stdout.write(`示例数据：${step.name}……`);
      const said = await step.run(core, accounts);
      process.stdout.write(`${said || '完成'}\n`);
    }
    process.stdout.write(
      `\n示例区演示数据已就绪（新建部门 ${accounts.created.departments} 个、用户 ${accounts.created.users} 个；` +
        `已存在的保持不变）。\n演示账号统一密码：${DEMO_PASSWORD}\n\n${await accountsTable(core)}\n\n`,
    );
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(
      err instanceof ConfigError
        ? `${err.message}\n`
        : `示例数据写入失败 (seed failed): ${err instanceof Error ? err.stack : String(err)}\n`,
    );
    process.exit(1);
  });
}
