import { Router } from 'express';
import type { Core } from '../context.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { authorize, can } from '../auth/policy.js';
import { HttpProblem } from '../shared/errors.js';
import { parse, fields } from '../shared/validation.js';
import { AREAS, SIGNALS } from './analysis/lexicon.js';
import { correctionSchema, OpinionCorrections } from './corrections.js';
import { ITEM_COLUMNS, itemJson } from './service.js';
import { ctxOf } from '../shared/context.js';

/** 人工研判: POST /api/opinion/items/:id/correction, GET /api/opinion/corrections, the item page. */
export function correctionRoutes(core: Core): Router {
  const r = Router();
  const corr = new OpinionCorrections(core);

  r.post('/api/opinion/items/:id/correction', async (req, res) => {
    const id = parse(fields.id, req.params.id, '信息编号');
    const input = parse(correctionSchema, req.body ?? {}, '人工研判');
    res.status(201).json(await corr.correct(ctxOf(req), id, input));
  });

  r.get('/api/opinion/corrections', async (req, res) => {
    res.json(await corr.summary(req.principal));
  });

  r.get('/opinion/items/:id', requirePageLogin, async (req, res) => {
    const p = req.principal!;
    authorize(p, 'opinion.read');
    const id = parse(fields.id, req.params.id, '信息编号');
    const row = await core.db
      .selectFrom('opinion_items')
      .select(ITEM_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw HttpProblem.notFound('信息不存在');
    const item = itemJson(row);
    const event = row.cluster_id
      ? await core.db
          .selectFrom('opinion_clusters')
          .innerJoin('opinion_events', 'opinion_events.id', 'opinion_clusters.event_id')
          .select(['opinion_events.id', 'opinion_events.title'])
          .where('opinion_clusters.id', '=', row.cluster_id)
          .executeTakeFirst()
      : undefined;
    res.render('opinion/item', {
      title: `信息 #${item.id}`,
      item,
      event,
      explanationJson: JSON.stringify(item.explanation ?? {}, null, 2),
      canCorrect: can(p, 'opinion.configure'),
      correctionChoices: { areas: AREAS, signals: SIGNALS },
    });
  });

  return r;
}
