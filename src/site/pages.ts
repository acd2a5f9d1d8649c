import { Router } from 'express';
import { z } from 'zod';
import type { Core } from '../context.js';
import { parse, fields } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { PUBLIC_LAYOUT } from '../policies/views.js';
import { listPublicResponses, publicResponsesOfEvent } from './responses.js';

const PAGE_SIZE = 20;
const pageSchema = z.object({ page: z.coerce.number().int().min(1).max(10_000).default(1) });

/** 回应关切: the responses the government issued on public concerns, on the public website. */
export function publicResponsePages(core: Core): Router {
  const r = Router();
  r.get('/concerns', async (req, res) => {
    const { page } = parse(pageSchema, req.query, '查询');
    const { rows, total } = await listPublicResponses(core.db, page, PAGE_SIZE);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    res.render('site/concerns', {
      layout: PUBLIC_LAYOUT,
      title: '回应关切',
      responses: rows,
      total,
      page,
      pages,
      prev: page > 1 ? `/concerns?page=${page - 1}` : null,
      next: page < pages ? `/concerns?page=${page + 1}` : null,
    });
  });
  r.get('/concerns/:id', async (req, res) => {
    const found = await publicResponsesOfEvent(core.db, parse(fields.id, req.params.id, '编号'));
    if (!found) throw HttpProblem.notFound('没有这条回应');
    res.render('site/concern', { layout: PUBLIC_LAYOUT, ...found });
  });
  return r;
}
