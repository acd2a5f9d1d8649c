/**
 * `npm run admin:reset -- USERNAME`: recovery when no administrator can sign in (the last admin
 * disabled or its password lost). The account is re-enabled, given the admin role and a new
 * password — ADMIN_PASSWORD if set, else a generated one printed once — and all its sessions
 * end. A missing account is created as the first administrator. Connects exactly as `npm start`
 * does; with the embedded database, stop the platform first.
 */
import { ConfigError } from '../src/shared/config.js';
import { HttpProblem } from '../src/shared/errors.js';
import { AccountsService } from '../src/accounts/service.js';
import { withCore } from './lib/with-core.js';

async function main(): Promise<void> {
  const username = process.argv[2];
  if (!username || !/^[A-Za-z0-9_.-]{3,64}$/.test(username)) {
    process.stderr.write('用法：npm run admin:reset -- 用户名   (usage: npm run admin:reset -- USERNAME)\n');
    process.exit(2);
  }
  await withCore(async (core) => {
    const given = core.config.adminPassword;
    const { password, created } = await new AccountsService(core).resetAdmin(username, given);
    process.stdout.write(
      `${created ? '已创建' : '已恢复'}管理员账号 ${username}` +
        (given ? '，密码为 ADMIN_PASSWORD 的值\n' : `，新密码（只显示这一次）：${password}\n`) +
        `Admin "${username}" ${created ? 'created' : 'restored'}` +
        (given ? ' with the password from ADMIN_PASSWORD\n' : ` with the new password: ${password}\n`),
    );
  });
}

main().catch((err: unknown) => {
  const msg =
    err instanceof ConfigError
      ? err.message
      : err instanceof HttpProblem
        ? `${err.title}：${err.detail ?? ''}`
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
  process.stderr.write(`恢复失败 (admin reset failed): ${msg}\n`);
  process.exit(1);
});
