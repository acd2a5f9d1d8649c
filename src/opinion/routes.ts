import { Router, type Request } from 'express';
import { HttpProblem } from '../shared/errors.js';
import { parse, fields, z } from '../shared/validation.js';
import type { OpinionService } from './service.js';
import type { OpinionConfig } from './config/index.js';
import { schemeSchema } from './config/schemes.js';
import { lexiconSchema } from './config/lexicon.js';
import { termSchema } from './config/terms.js';
import { ctxOf } from '../shared/context.js';

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
const streamQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional(),
  after: z.coerce.number().int().min(0).optional(),
});
const eventsQuery = pageQuery.extend({
  status: z.enum(['new', 'confirmed', 'responding', 'closed', 'dismissed']).optional(),
  origin: z.enum(['manual', 'detected']).optional(),
  category: z.string().max(20).optional(),
});
const termsBody = z.union([
  termSchema,
  z.object({ words: z.array(z.string()).min(1).max(1000), kind: termSchema.shape.kind }),
]);

/** Bytes of the JSON body as sent (Content-Length), or as re-serialised when chunked. */
function bodyBytes(req: Request): number {
  const len = Number(req.headers['content-length']);
  return Number.isFinite(len) && len > 0 ? len : Buffer.byteLength(JSON.stringify(req.body ?? null));
}

/** SPEC §4 opinion calls owned by the pipeline, plus 监测方案 / local terms / lexicon / rules. */
export function opinionApiRoutes(svc: OpinionService, cfg: OpinionConfig): Router {
  const r = Router();
  const idOf = (req: Request) => parse(fields.id, req.params.id, '编号');

  r.post('/api/opinion/items', async (req, res) => {
    res.json(await svc.ingest(req.principal, req.body, bodyBytes(req)));
  });

  r.get('/api/opinion/stats', async (req, res) => {
    res.json(await svc.stats(req.principal));
  });

  r.get('/api/opinion/items', async (req, res) => {
    res.json({ items: await svc.items(req.principal, parse(streamQuery, req.query, '查询参数')) });
  });

  r.get('/api/opinion/events', async (req, res) => {
    res.json({ events: await svc.events(req.principal, parse(eventsQuery, req.query, '查询参数')) });
  });

  r.get('/api/opinion/events/:id/items', async (req, res) => {
    const id = idOf(req);
    res.json({ items: await svc.eventItems(req.principal, id, parse(pageQuery, req.query, '查询参数')) });
  });

  r.get('/api/opinion/schemes', async (req, res) => {
    res.json({ schemes: await cfg.schemes.list(req.principal) });
  });
  r.post('/api/opinion/schemes', async (req, res) => {
    res.status(201).json(await cfg.schemes.create(ctxOf(req), parse(schemeSchema, req.body, '监测方案')));
  });
  r.patch('/api/opinion/schemes/:id', async (req, res) => {
    const id = idOf(req);
    const patch = parse(schemeSchema.partial().strict(), req.body, '监测方案');
    res.json(await cfg.schemes.update(ctxOf(req), id, patch));
  });
  r.delete('/api/opinion/schemes/:id', async (req, res) => {
    await cfg.schemes.remove(ctxOf(req), idOf(req));
    res.status(204).end();
  });

  r.get('/api/opinion/terms', async (req, res) => {
    res.json({ terms: await cfg.terms.list(req.principal) });
  });
  r.post('/api/opinion/terms', async (req, res) => {
    const body = parse(termsBody, req.body, '本地词');
    const terms =
      'words' in body
        ? body.words.map((w) => parse(termSchema, { word: w, kind: body.kind }, '本地词'))
        : [body];
    res.status(201).json(await cfg.terms.add(ctxOf(req), terms));
  });
  r.delete('/api/opinion/terms/:id', async (req, res) => {
    await cfg.terms.remove(ctxOf(req), idOf(req));
    res.status(204).end();
  });

  r.get('/api/opinion/lexicon', async (req, res) => {
    res.json(await cfg.lexicon.list(req.principal));
  });
  r.post('/api/opinion/lexicon', async (req, res) => {
    res.status(201).json(await cfg.lexicon.set(ctxOf(req), parse(lexiconSchema, req.body, '词库')));
  });
  r.delete('/api/opinion/lexicon/:id', async (req, res) => {
    await cfg.lexicon.remove(ctxOf(req), idOf(req));
    res.status(204).end();
  });

  r.get('/api/opinion/rules', async (req, res) => {
    res.json(await cfg.rules.get(req.principal));
  });
  r.put('/api/opinion/rules', async (req, res) => {
    if (req.body === undefined) throw HttpProblem.badRequest('缺少请求体');
    res.json(await cfg.rules.set(ctxOf(req), req.body));
  });

  return r;
}
