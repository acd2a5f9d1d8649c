import { io as connect, type Socket } from 'socket.io-client';
import { openClock, satisfyClock, type ClockRow, type OpenClockInput } from '../../src/clocks/service.js';
import type { AlertJson } from '../../src/alerts/model.js';
import type { TestPlatform } from './platform.js';

let subject = 1000;

/** Opens a clock through the service, as a domain (policies, events) would. */
export async function openTestClock(tp: TestPlatform, input: Partial<OpenClockInput> & { startAt: Date }) {
  const core = tp.platform.core;
  return core.db.transaction().execute((trx) =>
    openClock(
      trx,
      {
        kind: 'initial_release',
        subjectKind: 'test',
        subjectId: subject++,
        title: '测试事项',
        departmentId: null,
        ...input,
      },
      core.clock.now(),
    ),
  );
}

/** Meets a clock opened by openTestClock at the platform's now, as its domain would once the duty is done. */
export async function meetTestClock(tp: TestPlatform, c: ClockRow) {
  const core = tp.platform.core;
  const now = core.clock.now();
  return core.db
    .transaction()
    .execute((trx) =>
      satisfyClock(trx, { subjectKind: 'test', subjectId: c.subject_id, kind: c.kind }, now, now),
    );
}

export async function alertsOf(tp: TestPlatform, type?: string) {
  let q = tp.platform.core.db.selectFrom('alerts').selectAll().orderBy('id');
  if (type) q = q.where('type', '=', type);
  return q.execute();
}

/** A console socket that records every alert it receives. */
export async function consoleClient(
  tp: TestPlatform,
  auth: { token?: string; cookie?: string; lastAlertId?: number },
): Promise<{
  socket: Socket;
  alerts: AlertJson[];
  waitFor(pred: (a: AlertJson) => boolean, ms?: number): Promise<AlertJson>;
}> {
  const alerts: AlertJson[] = [];
  const socket = connect(`${tp.url}/console`, {
    transports: ['websocket'],
    auth: {
      ...(auth.token ? { token: auth.token } : {}),
      ...(auth.lastAlertId ? { lastAlertId: auth.lastAlertId } : {}),
    },
    ...(auth.cookie ? { extraHeaders: { cookie: auth.cookie } } : {}),
    reconnection: false,
  });
  const waiters: { pred: (a: AlertJson) => boolean; resolve: (a: AlertJson) => void }[] = [];
  socket.on('alert', (a: AlertJson) => {
    alerts.push(a);
    for (const w of [...waiters])
      if (w.pred(a)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(a);
      }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return {
    socket,
    alerts,
    waitFor(pred, ms = 5000) {
      const found = alerts.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('alert not received in time')), ms);
        waiters.push({ pred, resolve: (a) => (clearTimeout(timer), resolve(a)) });
      });
    },
  };
}
