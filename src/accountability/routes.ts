import { Router } from 'express';
import type { Core } from '../context.js';
import { ctxOf } from '../shared/context.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { parse, fields, z } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { optionalFile, optionalUpload, sendStoredFile } from '../files/upload.js';
import type { AccountabilityService } from './service.js';

/** SPEC §4: `POST /api/accountability` → 201, `GET /api/accountability?from&to&departmentId`. */
export function accountabilityRoutes(core: Core, svc: AccountabilityService): Router {
  const r = Router();

  r.post('/api/accountability', optionalFile, async (req, res) => {
    const file = await optionalUpload(req);
    res.status(201).json(await svc.record(ctxOf(req), req.body ?? {}, file));
  });

  r.get('/api/accountability', async (req, res) => {
    res.json(await svc.list(ctxOf(req), req.query));
  });

  r.get('/accountability/:id/attachment', requirePageLogin, async (req, res) => {
    const { id } = parse(z.object({ id: fields.id }), req.params, '路径');
    const row = await svc.get(ctxOf(req), id);
    if (!row.attachment_sha256 || !row.attachment_mime) throw HttpProblem.notFound('该问责记录没有附件');
    sendStoredFile(req, res, core.config.dataDir, {
      file_name: row.attachment_name ?? '附件',
      mime: row.attachment_mime,
      size: row.attachment_size ?? 0,
      sha256: row.attachment_sha256,
    });
  });

  return r;
}
