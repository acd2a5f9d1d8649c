/**
 * `npm run seed:demo`, step 「三个月历史数据」: about three months of activity in the demo county, so
 * every chart, brief and export has something true to show. Documents go through the real policy
 * services (interpreted on time, late, or never), events through the real response services (every
 * severity, answered on time, late or not at all); opinion items are written as analysed rows
 * attached to their events (see history-items.ts); a few 问责 decisions and the last week's
 * archived briefs complete it. Idempotent: nothing is added once the first history document exists.
 */
import { DateTime } from 'luxon';
import type { Core } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { loadUserPrincipal } from '../auth/users.js';
import { PolicyService } from '../policies/service.js';
import { InterpretationService } from '../policies/interpretations.js';
import { EventsService } from '../events/service.js';
import { advanceClock } from '../clocks/firing.js';
import { seedClockReferenceData } from '../clocks/capability.js';
import { AccountabilityService } from '../accountability/service.js';
import { ZONE } from '../shared/time.js';
import type { Severity } from '../events/tables.js';
import type { SentimentLabel } from '../opinion/tables.js';
import { insertAnalysedItems, type HistoryItem } from './history-items.js';
import { archiveBrief } from './briefs.js';
import { previousPeriods } from './brief.js';

interface Accounts {
  departments: Record<string, number>;
  users: Record<string, number>;
}

/** A small deterministic generator, so every run of the seed writes the same history. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}

const DOC_TOPICS: { dept: string; drafter: string; titles: string[] }[] = [
  {
    dept: 'housing',
    drafter: 'zj.drafter',
    titles: [
      '关于做好既有住宅加装电梯工作的通知',
      '关于进一步规范物业服务收费的通知',
      '城镇住房保障家庭租赁补贴实施细则',
    ],
  },
  {
    dept: 'education',
    drafter: 'jy.drafter',
    titles: ['关于做好课后服务工作的通知', '学前教育普惠性幼儿园认定办法', '关于规范校外培训机构管理的通知'],
  },
  {
    dept: 'health',
    drafter: 'wj.drafter',
    titles: [
      '家庭医生签约服务实施方案',
      '关于做好秋冬季传染病防控工作的通知',
      '基层医疗机构药品配备管理办法',
    ],
  },
  {
    dept: 'emergency',
    drafter: 'yj.drafter',
    titles: [
      '安全生产隐患排查治理工作方案',
      '关于做好汛期防灾减灾工作的通知',
      '小型经营场所消防安全管理规定',
    ],
  },
  {
    dept: 'market',
    drafter: 'sj.drafter',
    titles: ['农贸市场食品安全快检工作方案', '关于规范预付式消费管理的通知', '特种设备安全监督检查办法'],
  },
  {
    dept: 'ecology',
    drafter: 'st.drafter',
    titles: ['餐饮油烟污染防治工作方案', '关于加强建筑工地扬尘管控的通告', '河道水环境综合治理实施方案'],
  },
];

interface Topic {
  title: string;
  area: string;
  dept: string;
  words: string[];
}
/** One event template: title, area, responsible department, signal words (space-separated). */
const topic = (title: string, area: string, dept: string, words: string): Topic => ({
  title,
  area,
  dept,
  words: words.split(' '),
});

const EVENT_TOPICS: Topic[] = [
  topic('城关街道老旧小区加装电梯费用分摊争议', '住房保障', 'housing', '加装电梯 分摊 低层住户'),
  topic('东湖街道某小区物业费上涨引发业主不满', '住房保障', 'donghu', '物业费 涨价 业委会'),
  topic('区实验小学学区划分调整家长质疑', '就学', 'education', '学区 划片 入学'),
  topic('网传某幼儿园午餐分量不足', '就学', 'education', '幼儿园 午餐 家长'),
  topic('区人民医院夜间急诊排队时间过长', '就医', 'health', '急诊 排队 夜间'),
  topic('社区卫生服务中心疫苗预约难', '就医', 'health', '疫苗 预约 社区医院'),
  topic('青石镇化工园区异味扰民', '环境保护', 'ecology', '异味 化工园区 投诉'),
  topic('河道出现大面积死鱼', '环境保护', 'ecology', '死鱼 河道 排污'),
  topic('农贸市场销售过期熟食被曝光', '食品药品安全', 'market', '过期 熟食 农贸市场'),
  topic('城关街道养老服务中心收费标准引质疑', '养老服务', 'chengguan', '养老 收费 老人'),
  topic('青石镇道路拓宽征收补偿标准争议', '征收补偿', 'qingshi', '征收 补偿 拆迁'),
];

const EMERGENCY_TOPICS: Topic[] = [
  topic('青石镇一家具厂发生火灾', '安全生产', 'emergency', '火灾 浓烟 消防'),
  topic('东湖街道在建工地塔吊倒塌', '安全生产', 'emergency', '塔吊 倒塌 工地'),
  topic('强降雨致城关街道多处积水内涝', '防灾减灾救灾', 'emergency', '暴雨 内涝 转移'),
  topic('区内一小学发生集体食物中毒', '食品药品安全', 'market', '食物中毒 学生 送医'),
];

const CHANNEL_WEIGHTS: [string, string, number][] = [
  ['weibo', '微博', 30],
  ['wechat', '微信', 18],
  ['news', '新闻网站', 12],
  ['short_video', '抖音', 14],
  ['forum', '本地论坛', 8],
  ['hotline_12345', '12345热线', 10],
  ['leader_board', '领导留言板', 8],
];

function weightedChannel(r: ReturnType<typeof rng>): [string, string] {
  const total = CHANNEL_WEIGHTS.reduce((s, c) => s + c[2], 0);
  let x = r.next() * total;
  for (const [code, source, w] of CHANNEL_WEIGHTS) {
    if ((x -= w) < 0) return [code, source];
  }
  return ['other', '其他'];
}

const VOICES = {
  negative: ['太让人失望了', '希望有关部门尽快给个说法', '已经反映好几次了没人管', '这样下去怎么行'],
  neutral: ['有没有知情人说说具体情况', '转发关注', '据了解相关部门已介入', '等待官方通报'],
  positive: ['点赞处置及时', '回应很快，辛苦了', '问题已经解决，感谢', '政府部门行动迅速'],
};

function items(
  r: ReturnType<typeof rng>,
  topic: { title: string; area: string; words: string[] },
  start: Date,
  count: number,
  negativeShare: number,
  respondedAt: Date | null,
  now: Date,
): HistoryItem[] {
  const out: HistoryItem[] = [];
  for (let i = 0; i < count; i++) {
    // Most discussion in the first day, a tail over the next three.
    const hours = Math.min(96, -Math.log(1 - r.next() * 0.98) * 14);
    const at = new Date(start.getTime() + hours * 3_600_000 + r.int(0, 3_599) * 1000);
    if (at > now) continue;
    const calmer = respondedAt && at > respondedAt;
    const roll = r.next();
    const sentiment: SentimentLabel =
      roll < negativeShare * (calmer ? 0.5 : 1) ? 'negative' : roll < 0.85 ? 'neutral' : 'positive';
    const [channel, source] = weightedChannel(r);
    out.push({
      publishedAt: at,
      channel,
      source,
      author: `网友${r.int(1000, 99999)}`,
      content: `${topic.title}：${r.pick(topic.words)}，${r.pick(VOICES[sentiment])}。`,
      sentiment,
      categories: [topic.area],
      keywords: topic.words,
    });
  }
  return out;
}

const MARK = 'demo-history:';

export async function seedHistory(
  core: Core,
  accounts: Accounts,
): Promise<{ created: boolean; present: boolean; documents: number; events: number }> {
  const exists = await core.db
    .selectFrom('policies')
    .select('id')
    .where('source', 'like', `${MARK}%`)
    .executeTakeFirst();
  if (exists) return { created: false, present: true, documents: 0, events: 0 };
  await seedClockReferenceData(core.db);
  const p = async (username: string): Promise<Principal | null> =>
    accounts.users[username] ? loadUserPrincipal(core.db, accounts.users[username]!) : null;
  const supervisor = await p('gongkai');
  const leader = (await p('leader')) ?? supervisor;
  const analyst = await p('yq.analyst');
  if (!supervisor || !leader || !analyst) return { created: false, present: false, documents: 0, events: 0 };
  const now = core.clock.now();
  const r = rng(20260901);
  const ctx = (actor: Principal) => ({ actor, requestId: 'seed-demo-history' });
  const policies = new PolicyService(core);
  const interpretations = new InterpretationService(core);
  const events = new EventsService(core);
  const start = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day').minus({ days: 90 });

  // 1. Documents: one every third day, rotating through the drafting departments.
  let n = 0;
  let eventsCreated = 0;
  for (let day = 0; day < 86; day += 3) {
    const topic = DOC_TOPICS[n % DOC_TOPICS.length]!;
    const title = topic.titles[Math.floor(n / DOC_TOPICS.length) % topic.titles.length]!;
    n++;
    const drafter = await p(topic.drafter);
    const dept = accounts.departments[topic.dept];
    if (!drafter || !dept) continue;
    const publishedAt = start.plus({ days: day, hours: r.int(9, 16) }).toJSDate();
    const row = await policies.importDocument(ctx(drafter), {
      title: `${title}（${start.plus({ days: day }).toFormat('M月')}）`,
      docNumber: null,
      issuer: '示范区人民政府办公室',
      draftingDepartmentId: dept,
      body: `${title}。\n一、总体要求。\n二、主要任务。\n三、保障措施。`,
      requiresInterpretation: true,
      interpretationPlan: '文件公开后3个工作日内发布文字解读和政策问答，由单位主要负责人作为第一解读人。',
      source: `${MARK}doc-${n}`,
    });
    await policies.submit(ctx(drafter), row.id);
    await policies.approve(ctx(supervisor), row.id, '同意');
    await policies.publish(ctx(supervisor), row.id, publishedAt);
    const roll = r.next();
    // 70 % on time (next day), 20 % late (a week after), 10 % never.
    const afterHours = roll < 0.7 ? r.int(18, 30) : roll < 0.9 ? r.int(150, 200) : null;
    if (afterHours !== null) {
      const at = new Date(publishedAt.getTime() + afterHours * 3_600_000);
      if (at < now)
        await interpretations.addInterpretation(ctx(drafter), row.id, {
          form: r.pick(['text', 'graphic', 'qa', 'video'] as const),
          title: `《${title}》政策解读`,
          channel: '政府网站',
          interpreter: '单位主要负责人',
          interpreterIsPrincipal: true,
          publishedAt: at.toISOString(),
        });
    }
  }

  // 2. Events of every severity with their responses (or none).
  const history: { id: number; detected: Date }[] = [];
  for (let day = 1; day < 89; day += 2) {
    const emergency = r.next() < 0.18;
    const topic = emergency ? r.pick(EMERGENCY_TOPICS) : r.pick(EVENT_TOPICS);
    const severity: Severity = emergency
      ? r.next() < 0.75
        ? 'major'
        : 'extraordinary'
      : r.next() < 0.75
        ? 'general'
        : 'large';
    const detected = start.plus({ days: day, hours: r.int(7, 21), minutes: r.int(0, 59) }).toJSDate();
    if (detected > now) continue;
    eventsCreated++;
    const e = await events.record(ctx(analyst), {
      title: topic.title,
      summary: `${topic.words.join('、')}等话题在网上集中出现。`,
      detectedAt: detected.toISOString(),
      severity,
      emergency,
      responsibleDepartmentId: accounts.departments[topic.dept],
    });
    const h = (x: number) => new Date(detected.getTime() + x * 3_600_000);
    const roll = r.next();
    let respondedAt: Date | null = null;
    const act = async (
      kind: 'initial_release' | 'press_conference' | 'response' | 'follow_up',
      at: Date,
      text: string,
    ) => {
      if (at > now) return;
      await events.addAction(ctx(analyst), e.id, {
        kind,
        planned: false,
        occurredAt: at.toISOString(),
        channel: r.pick(['政府网站', '官方微博', '微信公众号', '新闻发布厅']),
        text,
      });
      respondedAt ??= at;
    };
    if (emergency) {
      if (roll < 0.85)
        await act(
          'initial_release',
          h(roll < 0.7 ? r.int(1, 4) + r.next() : 6 + r.next() * 3),
          `关于${topic.title}的情况通报`,
        );
      if (roll < 0.75)
        await act(
          'press_conference',
          h(roll < 0.6 ? r.int(12, 22) : r.int(26, 34)),
          `${topic.title}新闻发布会`,
        );
      if (roll < 0.85) await act('follow_up', h(r.int(40, 70)), '后续处置进展通报');
    } else if (roll < 0.9) {
      await act(
        'response',
        h(roll < 0.75 ? r.int(4, 40) : r.int(50, 70)),
        `关于网民反映“${topic.title}”的回复`,
      );
    }
    const volume = emergency ? r.int(60, 180) : severity === 'large' ? r.int(25, 70) : r.int(8, 35);
    await insertAnalysedItems(
      core.db,
      e.id,
      items(r, topic, detected, volume, emergency ? 0.55 : 0.45, respondedAt, now),
    );
    history.push({ id: e.id, detected });
  }
  // Background chatter that belongs to no event.
  const chatter: HistoryItem[] = [];
  for (let day = 0; day < 90; day++)
    for (let i = r.int(3, 9); i > 0; i--) {
      const at = start.plus({ days: day, hours: r.int(7, 23), minutes: r.int(0, 59) }).toJSDate();
      if (at > now) continue;
      const [channel, source] = weightedChannel(r);
      chatter.push({
        publishedAt: at,
        channel,
        source,
        content: r.pick([
          '今天区里的公交线路调整了',
          '周末去湿地公园散步',
          '社区组织了义诊活动',
          '新开的便民菜市场挺方便',
        ]),
        sentiment: r.next() < 0.7 ? 'neutral' : 'positive',
        categories: [],
      });
    }
  await insertAnalysedItems(core.db, null, chatter);

  // 3. Whatever is overdue breaches now, as the engine would on its next sweep; the alerts of
  // long-past breaches are marked acknowledged, as the duty staff did at the time.
  const overdue = await core.db
    .selectFrom('clocks')
    .select('id')
    .where('state', '=', 'running')
    .where('due_at', '<', now)
    .execute();
  await core.db.transaction().execute(async (trx) => {
    for (const c of overdue) await advanceClock(trx, c.id, now);
  });
  const old = DateTime.fromJSDate(now).minus({ days: 7 }).toJSDate();
  const oldClocks = await core.db.selectFrom('clocks').select('id').where('start_at', '<', old).execute();
  if (oldClocks.length)
    await core.db
      .updateTable('alerts')
      .set({ acked_at: now, acked_by: accounts.users['yq.duty'] ?? null, renotify_at: null })
      .where('subject_kind', '=', 'clock')
      .where(
        'subject_id',
        'in',
        oldClocks.map((c) => String(c.id)),
      )
      .where('acked_at', 'is', null)
      .execute();

  // 4. 问责 on a few late or breached clocks, a few days after each deadline.
  const accountable = await core.db
    .selectFrom('clocks')
    .selectAll()
    .where('state', 'in', ['breached', 'met_late'])
    .where('due_at', '<', DateTime.fromJSDate(now).minus({ days: 5 }).toJSDate())
    .orderBy('due_at')
    .execute();
  const svc = new AccountabilityService(core);
  const decisions = [
    ['通报批评', '未在规定时限内发布解读材料，予以全区通报批评。'],
    ['约谈整改', '重大突发事件未在5小时内发布权威信息，约谈单位主要负责人，限期整改。'],
    ['责令说明情况', '舆情回应逾期，责令书面说明情况。'],
    ['通报批评', '新闻发布会未在24小时内召开，予以通报批评。'],
    ['其他', '纳入年度政务公开考核扣分。'],
  ] as const;
  for (let i = 0; i < Math.min(decisions.length, accountable.length); i++) {
    const c = accountable[Math.floor((i * accountable.length) / decisions.length)]!;
    const [decision, note] = decisions[i]!;
    const decidedAt = new Date(c.due_at.getTime() + 3 * 86_400_000);
    await svc.record(ctx(i % 2 ? leader : supervisor), { clockId: c.id, decision, note }, undefined, {
      decidedAt: decidedAt < now ? decidedAt : now,
    });
  }

  // 5. The briefs the morning jobs would have archived over the last week.
  const prev = previousPeriods(now);
  for (let d = 0; d < 7; d++)
    await archiveBrief(
      core,
      'daily',
      DateTime.fromISO(prev.day).minus({ days: d }).toISODate()!,
      'scheduled',
    );
  await archiveBrief(core, 'weekly', prev.monday, 'scheduled');
  await archiveBrief(
    core,
    'weekly',
    DateTime.fromISO(prev.monday).minus({ weeks: 1 }).toISODate()!,
    'scheduled',
  );
  return { created: true, present: true, documents: n, events: eventsCreated };
}
