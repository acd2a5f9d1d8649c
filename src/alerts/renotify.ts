import type { Core } from '../context.js';
import { ESCALATION_TARGETS, ESCALATION_TARGET_LABELS, clockPolicySchema } from '../clocks/time-limits.js';
import { insertAlert } from './store.js';
import { DEFAULT_RENOTIFY_MINUTES } from './model.js';
import { lockRow } from '../db/lock.js';

const MAX_RENOTIFY = 3;

/**
 * A critical alert nobody acknowledged is re-notified, one level further up the chain each time
 * (SPEC §2.4), at most MAX_RENOTIFY times. Each re-notification is itself a stored alert with a
 * key per (alert, round), so two nodes sweeping together still write it once.
 */
export async function renotifyDueAlerts(core: Core, now: Date): Promise<number> {
  const due = await core.db
    .selectFrom('alerts')
    .select('id')
    .where('acked_at', 'is', null)
    .where('resolved_at', 'is', null)
    .where('renotify_at', '<=', now)
    .orderBy('renotify_at')
    .limit(500)
    .execute();
  let sent = 0;
  for (const { id } of due) {
    await core.db.transaction().execute(async (trx) => {
      const a = await lockRow(trx, 'alerts', id);
      if (!a || a.acked_at || a.resolved_at || !a.renotify_at || a.renotify_at > now) return;
      const round = a.renotify_count + 1;
      const level = Math.min(a.escalation_level + 1, ESCALATION_TARGETS.length);
      const target = level >= 2 ? 'government_office' : 'opinion_center';
      const dept = await trx
        .selectFrom('departments')
        .select('id')
        .where('kind', '=', target)
        .orderBy('id')
        .executeTakeFirst();
      let minutes = DEFAULT_RENOTIFY_MINUTES;
      const clockId = (a.data as { clockId?: unknown }).clockId;
      if (typeof clockId === 'number') {
        const clock = await trx
          .selectFrom('clocks')
          .select('policy')
          .where('id', '=', clockId)
          .executeTakeFirst();
        const policy = clockPolicySchema.safeParse(clock?.policy);
        if (policy.success) minutes = policy.data.renotifyMinutes;
      }
      await insertAlert(
        trx,
        {
          type: 'alert.renotified',
          severity: 'critical',
          title: `【未确认提醒·第${round}次】${a.title.replace(/^【[^】]*】/, '')}（已升级至${ESCALATION_TARGET_LABELS[target]}）`,
          subjectKind: a.subject_kind,
          subjectId: a.subject_id,
          departmentId: dept?.id ?? a.department_id,
          dueAt: a.due_at,
          escalationLevel: level,
          dedupeKey: `renotify:${a.id}:${round}`,
          data: { ...a.data, originalAlertId: a.id, round, escalatedTo: target },
        },
        now,
      );
      await trx
        .updateTable('alerts')
        .set({
          renotify_count: round,
          renotify_at: round >= MAX_RENOTIFY ? null : new Date(now.getTime() + minutes * 60_000),
        })
        .where('id', '=', a.id)
        .execute();
      sent++;
    });
  }
  return sent;
}
