import { insertAlert } from '../../src/alerts/store.js';
import { ADMIN, login, usePlatform } from '../support/platform.js';
import { consoleClient, openTestClock } from '../support/clocks.js';

const tp = usePlatform();

const insert = (title: string) =>
  tp.platform.core.db.transaction().execute((trx) =>
    insertAlert(
      trx,
      {
        type: 'event.detected',
        severity: 'warning',
        title,
        subjectKind: 'test',
        subjectId: title,
        departmentId: null,
      },
      new Date(),
    ),
  );

it('reconnects a dropped LISTEN connection and pushes what was committed meanwhile, once', async () => {
  const admin = await login(tp, ADMIN.username, ADMIN.password);
  const c = await consoleClient(tp, { cookie: admin.cookie });
  tp.platform.feed.simulateConnectionLoss();
  expect(tp.platform.feed.connected).toBe(false);
  const during = await insert('断线期间的预警');
  const pushed = await c.waitFor((a) => a.id === during!.id, 5000);
  expect(pushed.title).toBe('断线期间的预警');
  expect(tp.platform.feed.connected).toBe(true);
  const after = await insert('恢复之后的预警');
  await c.waitFor((a) => a.id === after!.id, 5000);
  // A clock timer scheduled after the reconnect still fires through the new connection.
  const clock = await openTestClock(tp, {
    kind: 'initial_release',
    startAt: new Date(Date.now() + 1500 - 5 * 3_600_000),
  });
  await c.waitFor((a) => a.type === 'clock.breached' && a.subject.id === String(clock.id), 6000);
  await new Promise((r) => setTimeout(r, 300));
  const ids = c.alerts.map((a) => a.id);
  expect(new Set(ids).size).toBe(ids.length);
  c.socket.close();
}, 20_000);

it('a console reconnecting with lastAlertId gets exactly what it missed', async () => {
  const admin = await login(tp, ADMIN.username, ADMIN.password);
  const first = await consoleClient(tp, { cookie: admin.cookie });
  const seen = await insert('已看到');
  await first.waitFor((a) => a.id === seen!.id);
  first.socket.close();
  const missed = [await insert('错过一'), await insert('错过二')];
  const again = await consoleClient(tp, { cookie: admin.cookie, lastAlertId: seen!.id });
  for (const m of missed) await again.waitFor((a) => a.id === m!.id);
  expect(again.alerts.map((a) => a.id)).toEqual(missed.map((m) => m!.id));
  again.socket.close();
});

it('survives the database dropping every connection and still fires and pushes a breach', async () => {
  const admin = await login(tp, ADMIN.username, ADMIN.password);
  const c = await consoleClient(tp, { cookie: admin.cookie });
  const { sql } = await import('kysely');
  // What a database restart or a network cut does to the LISTEN connections (ours and Agenda's).
  await sql`select pg_terminate_backend(pid) from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid()`.execute(tp.platform.core.db);
  await new Promise((r) => setTimeout(r, 1500));
  const clock = await openTestClock(tp, {
    kind: 'initial_release',
    startAt: new Date(Date.now() + 1500 - 5 * 3_600_000),
  });
  await c.waitFor((a) => a.type === 'clock.breached' && a.subject.id === String(clock.id), 8000);
  c.socket.close();
}, 20_000);
