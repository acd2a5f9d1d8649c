import request from 'supertest';
import { sql } from 'kysely';
import { login } from '../support/platform.js';
import { makeDepartment, makeUser } from '../support/factories.js';
import { send } from '../support/actors.js';
import { ManualClock } from '../../src/shared/clock.js';
import { ingest, workerOf, useOpinionDesk } from '../support/opinion.js';
import { loadLexicons } from '../../src/opinion/settings.js';

const clock = new ManualClock('2025-07-01T04:00:00Z');
const desk = useOpinionDesk(clock);

const post = (path: string, body: object) => send(desk.analyst, 'post', path, body);
const at = (minutes: number) =>
  new Date(clock.now().getTime() - 60 * 60_000 + minutes * 60_000).toISOString();

describe('监测方案', () => {
  it('validates, creates, edits, lists and deletes schemes', async () => {
    const bad = await post('/api/opinion/schemes', { name: '方案', channels: ['电报'], repost: 'sometimes' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['channels.0', 'repost']),
    );
    const created = await post('/api/opinion/schemes', {
      name: '临时方案',
      regionWords: ['河西区'],
      subjectWords: ['停水'],
      channels: ['微博', 'forum'],
    }).expect(201);
    expect(created.body).toMatchObject({
      name: '临时方案',
      channels: ['weibo', 'forum'],
      repost: 'all',
      enabled: true,
    });
    await post('/api/opinion/schemes', { name: '临时方案' }).expect(409);
    const patched = await desk.analyst.agent
      .patch(`/api/opinion/schemes/${created.body.id}`)
      .set('X-CSRF-Token', desk.analyst.csrf)
      .send({ enabled: false, excludeWords: ['演练'] })
      .expect(200);
    expect(patched.body).toMatchObject({ enabled: false, excludeWords: ['演练'] });
    await desk.analyst.agent
      .delete(`/api/opinion/schemes/${created.body.id}`)
      .set('X-CSRF-Token', desk.analyst.csrf)
      .expect(204);
    expect((await desk.analyst.agent.get('/api/opinion/schemes').expect(200)).body.schemes).toEqual([]);
  });

  it('tags matching items and routes the event alert to the scheme duty group', async () => {
    const duty = await makeDepartment(desk.tp, '应急值班组');
    const scheme = await post('/api/opinion/schemes', {
      name: '河西区燃气',
      regionWords: ['河西区'],
      subjectWords: ['燃气', '煤气'],
      excludeWords: ['演练'],
      repost: 'original',
      dutyDepartmentId: duty.id,
    }).expect(201);
    await new Promise((r) => setTimeout(r, 300)); // the worker reloads on NOTIFY
    const items = [
      { content: '河西区幸福小区燃气爆炸，造成2人死亡，现场浓烟滚滚，消防正在救援', author: 'a' },
      { content: '河西区幸福小区燃气泄漏引发爆炸，2人遇难，居民担心安全隐患', author: 'b' },
      { content: '河西区今天举行燃气泄漏应急演练', author: 'c' },
    ].map((x, i) => ({
      source: 'weibo-crawler',
      channel: 'weibo',
      externalId: `gas-${i}`,
      publishedAt: at(10 + i),
      ...x,
    }));
    await ingest(desk.tp, desk.token, items).expect(200);
    await workerOf(desk.tp).drain();
    const tagged = await sql<{ external_id: string; scheme_ids: number[] }>`
      select external_id, scheme_ids from opinion_items where external_id like 'gas-%' order by external_id
    `.execute(desk.tp.db.db);
    expect(tagged.rows.map((r) => r.scheme_ids)).toEqual([[scheme.body.id], [scheme.body.id], []]);
    const alerts = await sql<{ department_id: number; severity: string }>`
      select department_id, severity from alerts where type = 'event.detected'
    `.execute(desk.tp.db.db);
    expect(alerts.rows).toEqual([{ department_id: duty.id, severity: 'critical' }]);
  });
});

describe('local terms, lexicon edits and rules', () => {
  it('adds local terms and lists them', async () => {
    await post('/api/opinion/terms', { words: ['桃源街道', '桃源街道'], kind: 'place' }).expect(201);
    await post('/api/opinion/terms', { word: 'x', kind: 'place' }).expect(400);
    const terms = (await desk.analyst.agent.get('/api/opinion/terms').expect(200)).body.terms;
    expect(terms.map((t: { word: string }) => t.word)).toEqual(['桃源街道']);
  });

  it('deletes a local term and a lexicon edit, audited with what they held; deleting again is 404', async () => {
    await post('/api/opinion/terms', { words: ['待删地名'], kind: 'place' }).expect(201);
    const terms = (await desk.analyst.agent.get('/api/opinion/terms').expect(200)).body.terms;
    const term = terms.find((t: { word: string }) => t.word === '待删地名');
    const edit = (
      await post('/api/opinion/lexicon', { lexicon: 'area', label: '就医', word: '待删医词' }).expect(201)
    ).body;
    const del = (url: string) => desk.analyst.agent.delete(url).set('X-CSRF-Token', desk.analyst.csrf);
    for (const url of [`/api/opinion/terms/${term.id}`, `/api/opinion/lexicon/${edit.id}`]) {
      await del(url).expect(204);
      await del(url).expect(404);
    }
    expect((await desk.analyst.agent.get('/api/opinion/terms').expect(200)).body.terms).not.toContainEqual(
      expect.objectContaining({ word: '待删地名' }),
    );
    const audits = await desk.tp.platform.core.db
      .selectFrom('audit_log')
      .select(['action', 'subject_id', 'before'])
      .where('action', 'in', ['opinion.terms.delete', 'opinion.lexicon.delete'])
      .orderBy('id')
      .execute();
    expect(audits).toEqual([
      { action: 'opinion.terms.delete', subject_id: String(term.id), before: '待删地名' },
      {
        action: 'opinion.lexicon.delete',
        subject_id: String(edit.id),
        before: { lexicon: 'area', label: '就医', word: '待删医词' },
      },
    ]);
  });

  it('applies a lexicon edit to new items, with the word as the trigger', async () => {
    await post('/api/opinion/lexicon', { lexicon: 'area', label: '就医', word: '核磁共振' }).expect(201);
    await post('/api/opinion/lexicon', { lexicon: 'area', label: '不存在', word: 'x' }).expect(400);
    await new Promise((r) => setTimeout(r, 300));
    await ingest(desk.tp, desk.token, [
      {
        source: 's',
        channel: 'forum',
        externalId: 'mri-1',
        content: '做个核磁共振要排到下个月',
        publishedAt: at(20),
      },
    ]).expect(200);
    await workerOf(desk.tp).drain();
    const row = await sql<{
      categories: string[];
      labels: { areas: { label: string; triggers: string[] }[] };
    }>`
      select categories, labels from opinion_items where external_id = 'mri-1'
    `.execute(desk.tp.db.db);
    expect(row.rows[0]!.categories).toContain('就医');
    expect(row.rows[0]!.labels.areas.find((a) => a.label === '就医')!.triggers).toContain('核磁共振');
  });

  it('stores the incident kind of a 突发 word; the lexicons the pipeline loads tell it', async () => {
    const edit = (body: object) =>
      post('/api/opinion/lexicon', { lexicon: 'signal', label: '灾害事故', word: '洪峰', ...body });
    const bad = await edit({ kind: 'tsunami' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.detail).toBe('词库字段有误：类型');
    expect(bad.body.errors).toEqual([
      { field: 'kind', message: expect.stringMatching(/^未知的事件类型，可选：flood（洪涝）/) },
    ]);
    const onArea = await edit({ lexicon: 'area', label: '就医', word: 'x光', kind: 'fire' });
    expect(onArea.status).toBe(400);
    expect(onArea.body.errors).toEqual([{ field: 'kind', message: '只有突发事件词可以设置事件类型' }]);

    const { id } = (await edit({ kind: 'flood' }).expect(201)).body;
    await edit({ word: '洪水', removed: true }).expect(201);
    const listed = (await desk.analyst.agent.get('/api/opinion/lexicon').expect(200)).body;
    expect(listed.overrides).toContainEqual(expect.objectContaining({ id, word: '洪峰', kind: 'flood' }));
    expect(listed.shipped.kinds['洪水']).toBe('flood');
    const kindOf = async (word: string) => (await loadLexicons(desk.tp.platform.core.db)).kindOf.get(word);
    expect(await kindOf('洪峰')).toBe('flood');
    expect(await kindOf('洪水')).toBeUndefined();

    // Saving the word again without a kind keeps the word and drops the kind it was given.
    await edit({}).expect(201);
    expect(await kindOf('洪峰')).toBeUndefined();
  });

  it('validates and stores warning rules', async () => {
    const bad = await desk.analyst.agent
      .put('/api/opinion/rules')
      .set('X-CSRF-Token', desk.analyst.csrf)
      .send({ negativeArea: { minNegativeRatio: 3 } });
    expect(bad.status).toBe(422);
    const ok = await desk.analyst.agent
      .put('/api/opinion/rules')
      .set('X-CSRF-Token', desk.analyst.csrf)
      .send({ promoteMinItems: 4 })
      .expect(200);
    expect(ok.body.rules.promoteMinItems).toBe(4);
    expect((await desk.analyst.agent.get('/api/opinion/rules').expect(200)).body.rules.promoteMinItems).toBe(
      4,
    );
    await desk.analyst.agent
      .put('/api/opinion/rules')
      .set('X-CSRF-Token', desk.analyst.csrf)
      .send({ promoteMinItems: 3 });
  });

  it('enforces roles: spokespersons cannot configure, ingest tokens cannot read', async () => {
    const spokesperson = await makeUser(desk.tp, ['spokesperson']);
    const s = await login(desk.tp, spokesperson.username, spokesperson.password);
    await s.agent.post('/api/opinion/schemes').set('X-CSRF-Token', s.csrf).send({ name: 'x' }).expect(403);
    await request(desk.tp.url)
      .get('/api/opinion/events')
      .set('Authorization', `Bearer ${desk.token}`)
      .expect(403);
  });
});

describe('policy link', () => {
  it('links an event to the published policy it concerns and alerts the drafting department', async () => {
    const drafting = await makeDepartment(desk.tp, '县住房和城乡建设局');
    const policy = await sql<{ id: number }>`
      insert into policies (title, drafting_department_id, status, published_at, keywords)
      values ('关于调整公租房租金标准的通知', ${drafting.id}, 'published', ${clock.now()},
        ${['公租房', '租金', '保障性住房', '租金标准']}::text[])
      returning id
    `.execute(desk.tp.db.db);
    const policyId = policy.rows[0]!.id;
    await new Promise((r) => setTimeout(r, 50));
    // The matcher refreshes every minute; a fresh platform-less check would be slower, so move time.
    clock.advance(2 * 60_000);
    const texts = [
      '公租房租金一下涨了三成，新标准太不合理了',
      '租金标准调整前也不听证，公租房住户很不满',
      '公租房租金上涨，低收入家庭负担不起，希望重新考虑',
    ];
    await ingest(
      desk.tp,
      desk.token,
      texts.map((content, i) => ({
        source: 'forum-crawler',
        channel: 'forum',
        externalId: `rent-${i}`,
        author: `r${i}`,
        content,
        publishedAt: at(50 + i),
      })),
    ).expect(200);
    await workerOf(desk.tp).drain();
    const ev = (await desk.analyst.agent.get('/api/opinion/events').expect(200)).body.events.find(
      (e: { policyIds: number[] }) => e.policyIds.includes(policyId),
    );
    expect(ev).toBeDefined();
    expect(ev.categories).toContain('住房保障');
    const alerts = await sql<{ department_id: number; type: string }>`
      select department_id, type from alerts where type = 'policy.opinion'
    `.execute(desk.tp.db.db);
    expect(alerts.rows).toEqual([{ department_id: drafting.id, type: 'policy.opinion' }]);
  });
});
