import { Router, type Request, type RequestHandler } from 'express';
import type { Core } from '../context.js';
import { ctxOf } from '../shared/context.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { parse, fields, z, cleanBody } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import {
  attachmentPath,
  cleanFileName,
  contentDisposition,
  opensInline,
  detectType,
  uploadOne,
  uploadProblem,
} from '../policies/files.js';
import type { AccountabilityService, UploadedFile } from './service.js';

/** JSON bodies pass through; a multipart form (the page's, with an optional file) is parsed. */
const optionalFile: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next();
  uploadOne(req, res, (err: unknown) => (err ? next(uploadProblem(err)) : cleanBody(req, res, next)));
};

async function uploaded(req: Request): Promise<UploadedFile | undefined> {
  const file = req.file;
  if (!file || file.size === 0) return undefined;
  const type = await detectType(file.buffer);
  if (!type)
    throw new HttpProblem(415, '不支持的文件类型', '附件只能是 PDF、DOCX 或图片（PNG、JPEG、GIF、WebP）');
  return {
    name: cleanFileName(file.originalname, type.ext),
    mime: type.mime,
    size: file.size,
    bytes: file.buffer,
  };
}

/** SPEC §4: `POST /api/accountability` → 201, `GET /api/accountability?from&to&departmentId`. */
export function accountabilityRoutes(core: Core, svc: AccountabilityService): Router {
  const r = Router();

  r.post('/api/accountability', optionalFile, async (req, res) => {
    const file = await uploaded(req);
    res.status(201).json(await svc.record(ctxOf(req), req.body ?? {}, file));
  });

  r.get('/api/accountability', async (req, res) => {
    res.json(await svc.list(ctxOf(req), req.query));
  });

  r.get('/accountability/:id/attachment', requirePageLogin, async (req, res) => {
    const { id } = parse(z.object({ id: fields.id }), req.params, '路径');
    const row = await svc.get(ctxOf(req), id);
    if (!row.attachment_sha256 || !row.attachment_mime) throw HttpProblem.notFound('该问责记录没有附件');
    res.type(row.attachment_mime);
    res.setHeader(
      'content-disposition',
      contentDisposition(
        opensInline(row.attachment_mime) ? 'inline' : 'attachment',
        row.attachment_name ?? '附件',
      ),
    );
    res.sendFile(attachmentPath(core.config.dataDir, row.attachment_sha256), (err) => {
      if (err && !res.headersSent) res.status(404).end();
    });
  });

  return r;
}
