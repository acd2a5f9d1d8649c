import type { Core } from './context.js';
import type { Scheduler } from './shared/scheduler.js';
import { AccountsService } from './accounts/service.js';
import { seedClockReferenceData } from './clocks/capability.js';

/**
 * Reference data every database needs before any work: the calendar's holidays and the default
 * time-limit policies. Idempotent; run at every start and by `npm run seed:demo`.
 */
export async function seedReferenceData(core: Core): Promise<void> {
  await seedClockReferenceData(core.db);
}

/** Work done once per start, before serving: the first admin, reference data. */
export async function bootstrap(core: Core, _scheduler: Scheduler): Promise<void> {
  await seedReferenceData(core);
  const generated = await new AccountsService(core).ensureAdmin(
    core.config.adminUsername,
    core.config.adminPassword,
  );
  if (generated) {
    // Printed once, on the first start only: the operator must write it down.
    process.stdout.write(
      `\n  首次启动：已创建管理员账号 ${core.config.adminUsername}，初始密码 ${generated}\n` +
        `  First start: admin "${core.config.adminUsername}" created with password: ${generated}\n\n`,
    );
  }
}
