import type { Core } from '../context.js';
import { loadUserPrincipal } from '../auth/users.js';
import { seedClockReferenceData } from '../clocks/capability.js';
import { ManualClock } from '../shared/clock.js';
import { shanghaiDate } from '../shared/time.js';
import { DisclosureService } from './service.js';
import type { Ctx } from '../shared/context.js';
import { outcomeByCode } from './rules.js';
import { annualReport } from './report.js';
import type { ApplicantType, Channel } from './tables.js';
import type { ChallengeInput } from './schemas.js';

interface Accounts {
  departments: Record<string, number>;
  users: Record<string, number>;
}

const MARKER = '演示：';

/**
 * 依申请公开 demo: last year's requests and replies on a moved clock (so its annual report has
 * rows of every kind and balances), and this year's requests in every state on the real clock.
 * Last year's clocks are long past due for the running engine, which may breach them the moment
 * they open: so last year gets only receipts and replies (a reply stops a breached clock too),
 * and 补正, consultation and extension are shown on this year's requests.
 * Idempotent: skipped when the demo requests exist.
 */
export async function seedDisclosure(core: Core, accounts: Accounts): Promise<string> {
  await seedClockReferenceData(core.db);
  const exists = await core.db
    .selectFrom('disclosure_requests')
    .select('id')
    .where('content', 'like', `${MARKER}%`)
    .executeTakeFirst();
  if (exists) return '依申请公开申请新建 0 件';
  const office = accounts.users['gongkai']
    ? await loadUserPrincipal(core.db, accounts.users['gongkai'])
    : null;
  if (!office) throw new Error('demo account gongkai (政务公开办) is missing');
  const ctx: Ctx = { actor: office, requestId: 'seed-demo' };
  const housing = accounts.departments['housing'] ?? null;
  const education = accounts.departments['education'] ?? null;
  const now = core.clock.now();
  const year = Number(shanghaiDate(now).slice(0, 4)) - 1;
  const at = (md: string, y = year) => new Date(`${y}-${md}+08:00`);

  // Last year, on a clock that moves with the story.
  const clock = new ManualClock(at('01-01T00:00:00', year - 1));
  const past = new DisclosureService({ ...core, clock });
  const step = async <T>(when: Date, fn: () => Promise<T>): Promise<T> => {
    clock.set(when);
    return fn();
  };
  const receive = (
    when: Date,
    applicantType: ApplicantType,
    channel: Channel,
    name: string,
    content: string,
    departmentId: number | null,
    svc = past,
  ) =>
    step(when, () =>
      svc.register(ctx, {
        channel,
        applicantType,
        applicantName: name,
        contact: '138' + String(Math.abs(hash(name)) % 1e8).padStart(8, '0'),
        content: `${MARKER}${content}`,
        receivedAt: when,
        departmentId: departmentId ?? undefined,
      }),
    );
  const reply = (id: number, when: Date, code: string, reason: string, svc = past) =>
    step(when, () => svc.reply(ctx, id, { outcome: outcomeByCode(code)!, reason, repliedAt: when }));

  // Last year's requests: received, who, how, what, which department; replied, outcome, reason;
  // and a review or suit filed against the reply. r10 is still open on 31 December (结转下年度).
  const story: {
    received: Date;
    applicant: [ApplicantType, Channel, string];
    content: string;
    departmentId: number | null;
    reply: [Date, string, string];
    challenge?: [Date, ChallengeInput];
  }[] = [
    {
      received: at('12-22T10:00:00', year - 1),
      applicant: ['natural_person', 'in_person', '张建华'],
      content: '本社区加装电梯补贴申请条件',
      departmentId: housing,
      reply: [at('01-08T15:00:00'), 'disclose', ''],
    },
    {
      received: at('02-10T09:30:00'),
      applicant: ['natural_person', 'online', '李秀英'],
      content: '本区2024年义务教育阶段学校招生计划',
      departmentId: education,
      reply: [at('02-25T16:00:00'), 'disclose', ''],
    },
    {
      received: at('03-03T10:00:00'),
      applicant: ['business', 'letter', '某建筑工程有限公司'],
      content: '某安置房项目施工许可及竣工验收材料',
      departmentId: housing,
      reply: [at('03-30T15:00:00'), 'withhold_third_party', '所涉材料含第三方商业秘密，第三方不同意公开'],
    },
    {
      received: at('04-07T11:00:00'),
      applicant: ['natural_person', 'email', '王立军'],
      content: '那个文件',
      departmentId: housing,
      reply: [at('05-08T15:00:00'), 'unable_unclear', '经补正后申请内容仍无法确定所指政府信息'],
    },
    {
      received: at('05-12T14:00:00'),
      applicant: ['research', 'fax', '某大学城市研究院'],
      content: '近五年城市更新项目资金使用',
      departmentId: housing,
      reply: [at('05-28T09:00:00'), 'other_no_correction', '申请人逾期未补正，视为放弃申请'],
    },
    {
      received: at('06-02T09:00:00'),
      applicant: ['legal_service', 'letter', '某律师事务所'],
      content: '某地块征收补偿安置方案及批复',
      departmentId: housing,
      reply: [at('07-20T15:00:00'), 'partial', '方案中涉及个人信息的部分不予公开'],
    },
    {
      received: at('08-03T10:00:00'),
      applicant: ['public_interest', 'online', '某环保公益协会'],
      content: '本区学校周边环境整治情况',
      departmentId: education,
      reply: [at('08-14T15:00:00'), 'reject_repeat', '已于本年7月就相同内容作出答复'],
    },
    {
      received: at('09-01T10:00:00'),
      applicant: ['natural_person', 'in_person', '赵敏'],
      content: '本小区物业维修资金使用明细',
      departmentId: housing,
      reply: [at('09-10T15:00:00'), 'unable_not_held', '该信息由业主委员会保存，本机关未制作或获取'],
      challenge: [
        at('11-12T10:00:00'),
        {
          kind: 'review',
          afterReview: false,
          filedOn: `${year}-09-20`,
          result: 'upheld',
          decidedOn: `${year}-11-10`,
        },
      ],
    },
    {
      received: at('10-12T10:00:00'),
      applicant: ['other_org', 'other', '某村民委员会'],
      content: '对某工程质量问题的投诉',
      departmentId: housing,
      reply: [at('10-20T15:00:00'), 'reject_petition', '属于投诉事项，已告知通过12345热线反映'],
      challenge: [
        at('11-03T10:00:00'),
        { kind: 'suit', afterReview: false, filedOn: `${year}-11-01`, result: 'pending' },
      ],
    },
    {
      received: at('12-22T10:00:00'),
      applicant: ['natural_person', 'online', '孙丽'],
      content: '本区年度保障性住房分配结果',
      departmentId: housing,
      // Answered early this year: only once that day has come.
      reply: [at('01-12T15:00:00', year + 1), 'disclose', ''],
    },
  ];
  for (const s of story) {
    const r = await receive(s.received, ...s.applicant, s.content, s.departmentId);
    const [repliedAt, code, reason] = s.reply;
    if (repliedAt < now) await reply(r.id, repliedAt, code, reason);
    if (s.challenge) {
      const [filed, input] = s.challenge;
      await step(filed, () => past.addChallenge(ctx, r.id, input));
    }
  }

  // This year, on the real clock: one request in each state, received some days ago, and the
  // step that put it there.
  const live = new DisclosureService(core);
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  const thisYear: {
    daysAgo: number;
    applicant: [ApplicantType, Channel, string];
    content: string;
    departmentId: number | null;
    then?: (id: number) => Promise<unknown>;
  }[] = [
    {
      daysAgo: 1,
      applicant: ['natural_person', 'in_person', '周强'],
      content: '本街道老旧小区改造计划',
      departmentId: housing,
    },
    {
      daysAgo: 2,
      applicant: ['natural_person', 'email', '吴芳'],
      content: '有关学校的那份通知',
      departmentId: education,
      then: (id) => live.correction(ctx, id, { requestedAt: daysAgo(1) }),
    },
    {
      daysAgo: 6,
      applicant: ['business', 'letter', '某物业服务有限公司'],
      content: '小区公共收益审计报告',
      departmentId: housing,
      then: (id) => live.consultation(ctx, id, { startedAt: daysAgo(2), party: '小区业主委员会' }),
    },
    {
      daysAgo: 24,
      applicant: ['legal_service', 'online', '某律师事务所'],
      content: '某道路拓宽工程征收范围图',
      departmentId: housing,
      then: (id) =>
        live.extension(ctx, id, { approvedBy: '李文静', reason: '需向自然资源部门调取图件', days: 15 }),
    },
    {
      daysAgo: 10,
      applicant: ['natural_person', 'online', '郑洁'],
      content: '本区幼儿园收费标准',
      departmentId: education,
      then: (id) => live.reply(ctx, id, { outcome: outcomeByCode('disclose')!, repliedAt: daysAgo(1) }),
    },
    {
      daysAgo: 45,
      applicant: ['research', 'letter', '某研究中心'],
      content: '近三年住房保障资金分配情况',
      departmentId: housing,
    },
  ];
  for (const s of thisYear) {
    const r = await receive(daysAgo(s.daysAgo), ...s.applicant, s.content, s.departmentId, live);
    await s.then?.(r.id);
  }
  await live.submitPublic(
    { actor: undefined, requestId: 'seed-demo' },
    {
      applicantType: 'natural_person',
      applicantName: '林晓',
      contact: 'linxiao@example.com',
      content: `${MARKER}本村道路硬化工程的招标文件`,
    },
  );
  const made = await core.db
    .selectFrom('disclosure_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('content', 'like', `${MARKER}%`)
    .executeTakeFirstOrThrow();
  const balanced = (await annualReport(core, year)).requests.balanced;
  return `依申请公开申请新建 ${Number(made.n)} 件（${year} 年度报告表三${balanced ? '勾稽相符' : '勾稽不符'}）`;
}

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.codePointAt(0)!) | 0;
  return h;
}
