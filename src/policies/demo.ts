import type { Core } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { loadUserPrincipal } from '../auth/users.js';
import { PolicyService } from './service.js';
import { InterpretationService } from './interpretations.js';
import type { InterpretationForm } from './tables.js';

/** What the demo seed knows of its accounts (scripts/seed-demo.ts `DemoAccounts`). */
export interface DemoAccountsLike {
  departments: Record<string, number>;
  users: Record<string, number>;
}

interface DemoDoc {
  key: string;
  dept: string;
  drafter: string;
  title: string;
  docNumber?: string;
  body: string;
  plan?: string;
  /** How far the document gets: draft, submitted, returned (with comment), or published N days ago. */
  stage: 'draft' | 'submitted' | 'returned' | 'approved' | { publishedDaysAgo: number };
  interpretation?: { form: InterpretationForm; title: string; afterHours: number; principal?: boolean };
  returnComment?: string;
}

const DOCS: DemoDoc[] = [
  {
    key: 'housing-renovation',
    dept: 'housing',
    drafter: 'zj.drafter',
    title: '关于进一步做好城镇老旧小区改造工作的实施意见',
    docNumber: '示府办发〔2026〕21号',
    body: '各街道办事处、镇人民政府，区级有关部门：\n为改善群众居住条件，现就进一步做好城镇老旧小区改造工作提出如下意见。\n一、改造范围为2000年底前建成的住宅小区，重点改造供水、供气、电梯加装和无障碍设施。\n二、改造资金由区财政、产权单位和居民合理共担，居民出资部分可使用住房公积金。\n三、各街道要在改造前充分征求居民意见，改造方案公示不少于7日。',
    plan: '文件公开后3个工作日内，由区住建局局长作为第一解读人，通过区政府网站发布文字解读和“一图读懂”，并在两微一端同步推送。',
    stage: { publishedDaysAgo: 1 },
  },
  {
    key: 'education-enrolment',
    dept: 'education',
    drafter: 'jy.drafter',
    title: '关于做好2026年义务教育阶段招生入学工作的通知',
    docNumber: '示教发〔2026〕8号',
    body: '各中小学校：\n一、坚持免试就近入学，公办民办学校同步招生。\n二、随迁子女凭居住证入学，材料一次告知、网上办理。\n三、严禁以各类考试、竞赛成绩作为招生依据。',
    plan: '教育局局长接受访谈，同步发布问答。',
    stage: { publishedDaysAgo: 20 },
    interpretation: { form: 'qa', title: '2026年义务教育招生入学政策问答', afterHours: 20, principal: true },
  },
  {
    key: 'housing-rent',
    dept: 'housing',
    drafter: 'zj.drafter',
    title: '关于加强住房租赁市场管理的通知',
    docNumber: '示住建发〔2026〕5号',
    body: '一、住房租赁企业应当在区住建局备案。\n二、租赁合同实行网签备案，押金不得超过一个月租金。',
    plan: '发布文字解读和政策问答。',
    stage: { publishedDaysAgo: 9 },
  },
  {
    key: 'health-elderly',
    dept: 'health',
    drafter: 'wj.drafter',
    title: '关于推进医养结合服务的实施方案（征求意见稿）',
    body: '一、每个街道至少建成一所医养结合机构。\n二、家庭医生签约服务覆盖65岁以上老年人。',
    stage: 'draft',
  },
  {
    key: 'market-food',
    dept: 'market',
    drafter: 'sj.drafter',
    title: '关于开展校园周边食品安全专项整治的通知',
    docNumber: '示市监发〔2026〕12号',
    body: '一、整治校园周边200米范围内的食品经营者。\n二、对无证经营、销售过期食品的依法查处。',
    plan: '由分管副局长解读，发布图解。',
    stage: 'submitted',
  },
  {
    key: 'ecology-burning',
    dept: 'ecology',
    drafter: 'st.drafter',
    title: '关于禁止露天焚烧秸秆的通告',
    body: '一、全区范围内禁止露天焚烧秸秆、垃圾。\n二、违者依法处罚。',
    plan: '发布文字解读。',
    stage: 'returned',
    returnComment: '请补充秸秆综合利用的支持措施和处罚依据条款。',
  },
];

async function principal(core: Core, id: number | undefined): Promise<Principal | null> {
  return id ? loadUserPrincipal(core.db, id) : null;
}

/**
 * Demo documents in every state (draft, waiting approval, returned, published with a running,
 * a breached and a met interpretation clock). Idempotent: a document whose demo key is already
 * recorded as its source is left alone. Without demo accounts, everything is done as the admin.
 */
export async function seedPolicies(core: Core, accounts?: DemoAccountsLike): Promise<number> {
  const svc = new PolicyService(core);
  const interpretationSvc = new InterpretationService(core);
  // The configured administrator exists only after the first start; the seed may run before it,
  // so any active administrator (the demo county's demo.admin) will do.
  const admin = await core.db
    .selectFrom('users')
    .select(['id', 'department_id'])
    .where('active', '=', true)
    .where((eb) => eb(eb.val('admin'), '=', eb.fn.any('roles')))
    .orderBy((eb) => eb.case().when('username', '=', core.config.adminUsername).then(0).else(1).end())
    .orderBy('id')
    .executeTakeFirst();
  const adminP = await principal(core, admin?.id);
  const supervisor = (await principal(core, accounts?.users.gongkai)) ?? adminP;
  if (!adminP || !supervisor) throw new Error('没有可用的管理员账号，无法写入示例政策文件');
  let created = 0;
  for (const d of DOCS) {
    const source = `demo:${d.key}`;
    const exists = await core.db
      .selectFrom('policies')
      .select('id')
      .where('source', '=', source)
      .executeTakeFirst();
    if (exists) continue;
    const drafter = (await principal(core, accounts?.users[d.drafter])) ?? adminP;
    const departmentId =
      accounts?.departments[d.dept] ??
      (drafter.kind === 'user' ? drafter.departmentId : admin!.department_id);
    const ctx = (actor: Principal) => ({ actor, requestId: 'seed-demo' });
    const row = await svc.importDocument(ctx(drafter), {
      title: d.title,
      docNumber: d.docNumber ?? null,
      issuer: '示例区人民政府办公室',
      draftingDepartmentId: departmentId,
      body: d.body,
      requiresInterpretation: Boolean(d.plan),
      interpretationPlan: d.plan ?? '',
      source,
    });
    created++;
    if (d.stage === 'draft') continue;
    await svc.submit(ctx(drafter), row.id);
    if (d.stage === 'submitted') continue;
    if (d.stage === 'returned') {
      await svc.returnForRevision(ctx(supervisor), row.id, d.returnComment ?? '请修改后重新报批。');
      continue;
    }
    await svc.approve(ctx(supervisor), row.id, '同意发布');
    if (d.stage === 'approved') continue;
    const publishedAt = new Date(core.clock.now().getTime() - d.stage.publishedDaysAgo * 86_400_000);
    await svc.publish(ctx(supervisor), row.id, publishedAt);
    if (d.interpretation)
      await interpretationSvc.addInterpretation(ctx(drafter), row.id, {
        form: d.interpretation.form,
        title: d.interpretation.title,
        channel: '政府网站',
        interpreter: '局长',
        interpreterIsPrincipal: d.interpretation.principal ?? false,
        publishedAt: new Date(publishedAt.getTime() + d.interpretation.afterHours * 3_600_000).toISOString(),
      });
  }
  return created;
}
