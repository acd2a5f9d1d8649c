import { signInAt, useBrowserPlatform } from './browser.js';
import { cast, doc, published } from '../support/actors.js';
import { ADMIN, login } from '../support/platform.js';
import { insertAlert } from '../../src/alerts/store.js';

const ctx = useBrowserPlatform();

it('a drafter sees the live countdown, adds an interpretation and the clock shows 已按时解读', async () => {
  const c = await cast(ctx.tp);
  const { publish } = await published(c.drafterA, c.supervisor, {
    title: '关于实施城乡居民医保缴费补助的通知',
  });
  expect(publish.interpretationClock.state).toBe('running');

  const page = await ctx.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInAt(page, `${ctx.tp.url}/workspace`, c.drafterA.username, c.drafterA.password);

  const row = page.locator('#to-interpret tr', { hasText: '关于实施城乡居民医保缴费补助的通知' });
  const countdown = row.locator('.countdown[data-due]');
  await expect(countdown.getAttribute('data-due')).resolves.toBe(publish.interpretationClock.dueAt);
  // The script replaces the server's label with the time left; with the browser's clock moved
  // on it turns amber from the clock's first warning point (the server sends them) and red once
  // the deadline has passed.
  await page.clock.install();
  await page.reload();
  await page.waitForFunction(
    (el) => /^剩余 \d+ 天 \d\d:\d\d:\d\d$/.test(el?.textContent ?? ''),
    await countdown.elementHandle(),
  );
  expect(await countdown.getAttribute('class')).toBe('countdown cd-ok');
  const warnAt = (await countdown.getAttribute('data-warn'))!.split(',').map((t) => Date.parse(t));
  expect(warnAt).toEqual(publish.interpretationClock.warnAt.map((t: string) => Date.parse(t)));
  const start = Date.parse(publish.interpretationClock.startAt);
  const due = Date.parse(publish.interpretationClock.dueAt);
  // The first warning point is the time limit's 50 %.
  expect(Math.abs(Math.min(...warnAt) - (start + (due - start) / 2))).toBeLessThan(1);
  // The browser's own (installed) clock, which the page's countdown reads.
  const browserNow = () => page.evaluate(() => Date.now());
  await page.clock.fastForward(Math.min(...warnAt) - (await browserNow()) - 60_000);
  expect(await countdown.getAttribute('class')).toBe('countdown cd-ok');
  await page.clock.fastForward(2 * 60_000);
  await page.waitForFunction((el) => el?.classList.contains('cd-warn'), await countdown.elementHandle());
  await page.clock.fastForward(due - (await browserNow()) - 3_600_000);
  await page.waitForFunction(
    (el) => /^剩余 00:59:\d\d$/.test(el?.textContent ?? ''),
    await countdown.elementHandle(),
  );
  await page.clock.fastForward(2 * 3_600_000);
  await page.waitForFunction((el) => el?.classList.contains('cd-breach'), await countdown.elementHandle());
  expect(await countdown.textContent()).toMatch(/^已超时 /);

  // 添加解读 leads to the document's own panel, not a form squeezed into the table.
  await row.locator('a', { hasText: '添加解读' }).click();
  await page.waitForURL(/\/workspace\/policies\/\d+#add-interpretation$/);
  const form = page.locator('#add-interpretation form');
  await form.locator('select[name=form]').selectOption('graphic');
  await form.locator('input[name=title]').fill('一图读懂城乡居民医保缴费补助');
  await form.locator('input[name=interpreter]').fill('医保局局长');
  await form.locator('input[name=interpreterIsPrincipal]').check();
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/workspace\/policies\/\d+$/);
  await expect(page.textContent('.flash-ok')).resolves.toContain('已按时解读');
  await page.goto(`${ctx.tp.url}/workspace`);
  const done = page.locator('#published tr', { hasText: '关于实施城乡居民医保缴费补助的通知' });
  await expect(done.locator('.clock-state').textContent()).resolves.toBe('已按时解读');
  expect(errors).toEqual([]);

  // The public page lists the interpretation.
  await page.goto(`${ctx.tp.url}/policies`);
  await page.click('text=关于实施城乡居民医保缴费补助的通知');
  await expect(page.textContent('#related')).resolves.toContain('一图读懂城乡居民医保缴费补助');
  await page.close();
});

it('确认 in the workspace banner acknowledges the warning and removes it without a reload', async () => {
  const c = await cast(ctx.tp);
  const core = ctx.tp.platform.core;
  const alert = (await core.db.transaction().execute((trx) =>
    insertAlert(
      trx,
      {
        type: 'clock.warning',
        severity: 'warning',
        title: '《城乡低保标准调整》解读期限将至',
        subjectKind: 'clock',
        subjectId: 1,
        departmentId: c.deptA.id,
      },
      core.clock.now(),
    ),
  ))!;
  const page = await ctx.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInAt(page, `${ctx.tp.url}/workspace`, c.drafterA.username, c.drafterA.password);
  const item = page.locator(`.clock-banner li[data-alert="${alert.id}"]`);
  await item.locator('button', { hasText: '确认' }).click();
  await item.waitFor({ state: 'detached' });
  // It was the only warning: the banner goes with it, and the URL never changed.
  expect(await page.locator('.clock-banner').count()).toBe(0);
  expect(page.url()).toBe(`${ctx.tp.url}/workspace`);
  const row = await core.db
    .selectFrom('alerts')
    .select('acked_by')
    .where('id', '=', alert.id)
    .executeTakeFirstOrThrow();
  expect(row.acked_by).toBe(c.drafterA.userId);
  expect(errors).toEqual([]);
  await page.close();
});

it('a drafter uploads a 图解 image to an interpretation and deletes the interpretation after confirming', async () => {
  const c = await cast(ctx.tp);
  const { id } = await published(c.drafterA, c.supervisor, { title: '关于发放高龄津贴的通知' });
  const page = await ctx.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInAt(page, `${ctx.tp.url}/workspace/policies/${id}`, c.drafterA.username, c.drafterA.password);
  const form = page.locator('#interpretation-form');
  await form.locator('select[name=form]').selectOption('graphic');
  await form.locator('input[name=title]').fill('一图读懂高龄津贴');
  await form.locator('button[type=submit]').click();
  const row = page.locator('#interpretations tr', { hasText: '一图读懂高龄津贴' });
  await row.waitFor();

  await row.locator('a', { hasText: '修改' }).click();
  await page.waitForURL(/\/workspace\/interpretations\/\d+$/);
  const onePixel = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
  await page.setInputFiles('.upload-form input[type=file]', {
    name: '高龄津贴.png',
    mimeType: 'image/png',
    buffer: onePixel,
  });
  await page.click('.upload-form button[type=submit]');
  const thumb = page.locator('#interpretation-files img.thumb');
  await thumb.waitFor();
  // The element is there before its image has loaded (a busy machine shows it): wait for either.
  const width = await thumb.evaluate((img: HTMLImageElement) =>
    img.complete
      ? img.naturalWidth
      : new Promise<number>((resolve) => {
          img.onload = () => resolve(img.naturalWidth);
          img.onerror = () => resolve(0);
        }),
  );
  expect(width).toBe(1);

  // The delete button asks first; dismissing keeps the interpretation.
  page.once('dialog', (d) => void d.dismiss());
  await page.click('button:has-text("删除解读")');
  expect(page.url()).toMatch(/\/workspace\/interpretations\/\d+$/);
  page.once('dialog', (d) => void d.accept());
  await page.click('button:has-text("删除解读")');
  await page.waitForURL(`${ctx.tp.url}/workspace/policies/${id}`);
  expect(await page.locator('#interpretations tr', { hasText: '一图读懂高龄津贴' }).count()).toBe(0);
  expect(errors).toEqual([]);
  await page.close();
});

it('通过, 发布 and 办结 ask first; declining changes nothing', async () => {
  const c = await cast(ctx.tp);
  const created = await c.drafterA.agent
    .post('/api/policies')
    .set('x-csrf-token', c.drafterA.csrf)
    .send(doc(c.drafterA.departmentId, { title: '关于调整城乡低保标准的通知' }))
    .expect(201);
  const id = created.body.id as number;
  await c.drafterA.agent.post(`/api/policies/${id}/submit`).set('x-csrf-token', c.drafterA.csrf).expect(200);
  const status = async () =>
    (await c.supervisor.agent.get(`/api/policies/${id}`).expect(200)).body.status as string;

  const page = await ctx.browser.newPage();
  await signInAt(page, `${ctx.tp.url}/review`, c.supervisor.username, c.supervisor.password);
  const dialogs: string[] = [];
  let answer = false;
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void (answer ? d.accept() : d.dismiss());
  });
  const approve = page.locator('#waiting tr', { hasText: '关于调整城乡低保标准的通知' }).getByRole('button', {
    name: '通过',
  });
  await approve.click();
  await page.waitForTimeout(300);
  expect(dialogs.at(-1)).toContain('确定审核通过《关于调整城乡低保标准的通知》');
  expect(await status()).toBe('submitted');
  answer = true;
  await approve.click();
  await page.waitForLoadState('load');
  await page.locator('#approved').waitFor();
  expect(await status()).toBe('approved');

  answer = false;
  const publish = page
    .locator('#approved tr', { hasText: '关于调整城乡低保标准的通知' })
    .getByRole('button', {
      name: '发布',
    });
  await publish.click();
  await page.waitForTimeout(300);
  expect(dialogs.at(-1)).toContain('确定发布');
  expect(await status()).toBe('approved');
  answer = true;
  await publish.click();
  await page.waitForLoadState('load');
  await page.waitForFunction(() => !document.querySelector('#approved'));
  expect(await status()).toBe('published');

  // 办结 on an event's case page.
  const admin = await login(ctx.tp, ADMIN.username, ADMIN.password);
  const ev = await admin.agent
    .post('/api/opinion/events')
    .set('x-csrf-token', admin.csrf)
    .send({
      title: '东湖街道停水',
      detectedAt: new Date().toISOString(),
      severity: 'general',
      emergency: false,
    })
    .expect(201);
  const eventStatus = async () =>
    (await admin.agent.get(`/api/opinion/events/${ev.body.id}`).expect(200)).body.status as string;
  await page.goto(`${ctx.tp.url}/responses/events/${ev.body.id}`);
  answer = false;
  await page.getByRole('button', { name: '办结' }).click();
  await page.waitForTimeout(300);
  expect(dialogs.at(-1)).toContain('确定办结');
  expect(await eventStatus()).not.toBe('closed');
  answer = true;
  await page.getByRole('button', { name: '办结' }).click();
  await page.waitForLoadState('load');
  await page.waitForFunction(() => !!document.querySelector('.flash'));
  expect(await eventStatus()).toBe('closed');
  await page.close();
});
