import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { attachmentPath } from '../../src/files/files.js';
import { cast, doc, send } from '../support/actors.js';
import { minimalPdf } from '../support/files.js';
import { signInAt, useBrowserPlatform } from './browser.js';

// Issue 13 item 17: uploads work without JavaScript, the public page lists 附件 for download, and
// the bytes go only once no committed row points at them.
const ctx = useBrowserPlatform();

it('uploads with scripting off, lists the file publicly, removes bytes only when unreferenced', async () => {
  const c = await cast(ctx.tp);
  const created = await send(c.drafterA, 'post', '/api/policies', doc(c.drafterA.departmentId)).expect(201);
  const id = created.body.id as number;
  const dir = mkdtempSync(path.join(tmpdir(), 'gop-upload-'));
  const pdf = path.join(dir, '实施细则.pdf');
  writeFileSync(pdf, minimalPdf(`实施细则 ${Date.now()}`));

  const context = await ctx.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInAt(page, `${ctx.tp.url}/workspace/policies/${id}`, c.drafterA.username, c.drafterA.password);
  const form = page.locator('form.upload-form');
  await form.locator('input[type=file]').setInputFiles(pdf);
  await form.getByRole('button', { name: '上传附件' }).click();
  await page.waitForURL(`${ctx.tp.url}/workspace/policies/${id}`);
  expect(await page.locator('.flash-ok').textContent()).toContain('已上传附件“实施细则.pdf”');
  expect(await page.locator('#policy-files').textContent()).toContain('实施细则.pdf');
  // Without the form's token the same post is refused.
  const forged = await c.drafterA.agent
    .post(`/workspace/policies/${id}/attachments`)
    .attach('file', pdf)
    .expect(403);
  expect(forged.status).toBe(403);
  await context.close();

  const rows = await ctx.tp.platform.core.db
    .selectFrom('policy_attachments')
    .selectAll()
    .where('owner_kind', '=', 'policy')
    .where('owner_id', '=', id)
    .execute();
  expect(rows).toHaveLength(1);
  const file = attachmentPath(ctx.tp.platform.core.config.dataDir, rows[0]!.sha256);
  expect(existsSync(file)).toBe(true);

  // Published: the public page lists the attachment and it downloads.
  await send(c.drafterA, 'post', `/api/policies/${id}/submit`).expect(200);
  await send(c.supervisor, 'post', `/api/policies/${id}/approve`, {}).expect(200);
  await send(c.supervisor, 'post', `/api/policies/${id}/publish`, {}).expect(200);
  const pub = await request(ctx.tp.url).get(`/policies/${id}`).expect(200);
  expect(pub.text).toMatch(/<h2>附件<\/h2>/);
  expect(pub.text).toContain(`href="/attachments/${rows[0]!.id}"`);
  expect(pub.text).toContain('实施细则.pdf');
  const dl = await request(ctx.tp.url).get(`/attachments/${rows[0]!.id}?download`).buffer(true).expect(200);
  expect(dl.headers['content-disposition']).toMatch(/^attachment/);

  // A refused delete (a drafter, published document) keeps both the row and the bytes.
  await c.drafterA.agent
    .delete(`/api/attachments/${rows[0]!.id}`)
    .set('x-csrf-token', c.drafterA.csrf)
    .expect(409);
  expect(existsSync(file)).toBe(true);
  await request(ctx.tp.url).get(`/attachments/${rows[0]!.id}`).expect(200);

  // The same bytes on a second draft: deleting that copy keeps the shared file for the first.
  const second = await send(c.drafterA, 'post', '/api/policies', doc(c.drafterA.departmentId)).expect(201);
  const up = await c.drafterA.agent
    .post(`/api/policies/${second.body.id}/attachments`)
    .set('x-csrf-token', c.drafterA.csrf)
    .attach('file', pdf)
    .expect(201);
  await c.drafterA.agent
    .delete(`/api/attachments/${up.body.id}`)
    .set('x-csrf-token', c.drafterA.csrf)
    .expect(200);
  expect(existsSync(file)).toBe(true);
  await request(ctx.tp.url).get(`/attachments/${rows[0]!.id}`).expect(200);
});
