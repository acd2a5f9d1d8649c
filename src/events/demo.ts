import type { Core } from '../context.js';
import { loadUserPrincipal } from '../auth/users.js';
import { seedClockReferenceData } from '../clocks/capability.js';
import { shanghaiDate } from '../shared/time.js';
import { EventsService } from './service.js';

interface Accounts {
  departments: Record<string, number>;
  users: Record<string, number>;
}

/**
 * Demo cases for the response pages and the console: today's duty roster and three events at
 * different stages (an emergency inside its 5 h window, a complaint answered, one awaiting a
 * press conference). Idempotent: events are matched by title. Returns what it created, for the
 * seed's report.
 */
export async function seedResponses(core: Core, accounts: Accounts): Promise<string> {
  await seedClockReferenceData(core.db);
  const today = shanghaiDate(core.clock.now());
  const roster: [number, string][] = [
    [0, 'yj.fayan'],
    [1, 'yq.duty'],
    [2, 'duty.gov'],
  ];
  let rostered = 0;
  for (const [level, username] of roster) {
    const userId = accounts.users[username];
    if (!userId) continue;
    const r = await core.db
      .insertInto('duty_roster')
      .values({ date: today, level, user_id: userId, department_id: null, note: '演示排班' })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (r) rostered++;
  }

  const analystId = accounts.users['yq.analyst'];
  const analyst = analystId ? await loadUserPrincipal(core.db, analystId) : null;
  if (!analyst) throw new Error('缺少示例舆情分析员 yq.analyst（已停用？），无法写入示例舆情事件');
  let events = 0;
  const svc = new EventsService(core);
  const ctx = { actor: analyst, requestId: 'seed-demo' };
  const hoursAgo = (h: number) => new Date(core.clock.now().getTime() - h * 3_600_000).toISOString();
  const exists = async (title: string) =>
    (await core.db
      .selectFrom('opinion_events')
      .select('id')
      .where('title', '=', title)
      .executeTakeFirst()) !== undefined;

  const blast = '青石镇化工厂爆炸，网传多人受伤';
  if (!(await exists(blast)) && ++events)
    await svc.record(ctx, {
      title: blast,
      summary: '12345 热线与微博同时出现现场视频，应急管理局已赶赴现场。',
      detectedAt: hoursAgo(3.5),
      severity: 'major',
      emergency: true,
      responsibleDepartmentId: accounts.departments.emergency,
    });

  const water = '城关街道幸福小区连续三天停水';
  if (!(await exists(water))) {
    events++;
    const e = await svc.record(ctx, {
      title: water,
      summary: '居民在领导留言板集中反映，情绪较大。',
      detectedAt: hoursAgo(20),
      severity: 'general',
      emergency: false,
    });
    await svc.addAction(ctx, e.id, {
      kind: 'response',
      planned: false,
      occurredAt: hoursAgo(2),
      channel: '领导留言板',
      text: '城关街道已协调供水公司抢修，预计今晚 20 时前恢复供水。',
      public: true,
    });
  }

  const school = '区教育局学区划分调整引发家长质疑';
  if (!(await exists(school))) {
    events++;
    const e = await svc.record(ctx, {
      title: school,
      detectedAt: hoursAgo(40),
      severity: 'large',
      emergency: false,
      responsibleDepartmentId: accounts.departments.education,
    });
    // The matcher links events to policies from ingested items; the demo links this one by hand
    // so the public 回应关切 column and the policy page point at each other.
    const policy = await core.db
      .selectFrom('policies')
      .select('id')
      .where('source', '=', 'demo:education-enrolment')
      .executeTakeFirst();
    if (policy)
      await core.db
        .updateTable('opinion_events')
        .set({ policy_ids: [policy.id] })
        .where('id', '=', e.id)
        .execute();
    await svc.addAction(ctx, e.id, {
      kind: 'clarification',
      planned: false,
      occurredAt: hoursAgo(30),
      channel: '区政府网站',
      text: '网传“学区整体调整”不实。今年学区划分与去年一致，具体以《关于做好2026年义务教育阶段招生入学工作的通知》为准。',
      public: true,
    });
  }
  return `今日值班新增 ${rostered} 人次，舆情回应事件新建 ${events} 个`;
}
