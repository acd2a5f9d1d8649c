/**
 * `npm run import:policy -- FILE… [--department ID] [--published] [--dry-run]`
 *
 * Imports policy documents saved as .txt or .docx: the title, 文号, 发文机关 and 成文日期 are read
 * from the header, the body keeps its paragraphs. Documents become drafts of the department
 * (default: the government office), or published documents on their website date with
 * --published. --dry-run prints what was parsed and writes nothing. Connects as `npm start` does.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../src/shared/config.js';
import { withCore } from './lib/with-core.js';
import { loadUserPrincipal } from '../src/auth/users.js';
import { HttpProblem } from '../src/shared/errors.js';
import { parsePolicyFile, importParsed } from '../src/policies/import-file.js';
import type { ParsedPolicy } from '../src/policies/importer.js';

interface Args {
  files: string[];
  departmentId?: number;
  published: boolean;
  dryRun: boolean;
}

export function parseArgs(argv: string[]): Args {
  const out: Args = { files: [], published: false, dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--department') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error('--department 须为部门编号');
      out.departmentId = v;
    } else if (a === '--published') out.published = true;
    else if (a === '--dry-run') out.dryRun = true;
    else if (a.startsWith('--')) throw new Error(`未知参数：${a}`);
    else out.files.push(a);
  }
  if (!out.files.length)
    throw new Error(
      '用法：npm run import:policy -- 文件.txt|文件.docx … [--department 编号] [--published] [--dry-run]',
    );
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const parsed: { file: string; doc: ParsedPolicy }[] = [];
  for (const f of args.files) parsed.push({ file: f, doc: await parsePolicyFile(await readFile(f), f) });
  if (args.dryRun) {
    for (const p of parsed)
      process.stdout.write(
        `${JSON.stringify({ file: p.file, ...p.doc, body: `${p.doc.body.slice(0, 80)}…` }, null, 2)}\n`,
      );
    return;
  }

  await withCore(async (core) => {
    const config = core.config;
    // Imports are recorded in the audit log as the work of the first admin.
    const admin = await core.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', config.adminUsername)
      .executeTakeFirst();
    const actor = admin && (await loadUserPrincipal(core.db, admin.id));
    if (!actor) throw new Error(`管理员账号 ${config.adminUsername} 不存在，请先启动一次平台`);
    const departmentId =
      args.departmentId ??
      (
        await core.db
          .selectFrom('departments')
          .select('id')
          .where('kind', '=', 'government_office')
          .orderBy('id')
          .executeTakeFirst()
      )?.id;
    if (!departmentId) throw new Error('请用 --department 指定起草部门编号');
    for (const p of parsed) {
      try {
        const row = await importParsed(core, actor, p.doc, {
          departmentId,
          source: path.basename(p.file),
          published: args.published,
        });
        process.stdout.write(
          `已导入 #${row.id}：${row.title}${row.doc_number ? `（${row.doc_number}）` : ''} [${row.status}]\n`,
        );
      } catch (err) {
        if (!(err instanceof HttpProblem)) throw err;
        process.stderr.write(`未导入 ${p.file}：${err.detail ?? err.title}\n`);
        process.exitCode = 1;
      }
    }
  }, 2);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(
      err instanceof ConfigError
        ? `${err.message}\n`
        : `导入失败：${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  });
}
