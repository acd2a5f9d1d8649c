import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { HttpProblem } from '../shared/errors.js';
import { cleanBody } from '../shared/validation.js';
import {
  attachmentPath,
  cleanFileName,
  contentDisposition,
  detectType,
  opensInline,
  type StoredFile,
  type UploadedFile,
} from './files.js';

export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/** What the public may attach to an online request: fewer and smaller files than staff. */
export const PUBLIC_UPLOAD = { files: 5, bytes: 10 * 1024 * 1024 } as const;

const mb = (n: number) => n / 1024 / 1024;

/** Multipart parsing for one file in field `file`, kept in memory up to the size limit. */
const uploadOne = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 20 },
}).single('file');

/** Multipart parsing for up to PUBLIC_UPLOAD.files files in field `file` (the public form). */
const uploadPublic = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: PUBLIC_UPLOAD.bytes, files: PUBLIC_UPLOAD.files, fields: 20 },
}).array('file', PUBLIC_UPLOAD.files);

/** Turns multer's errors into problems naming the field instead of 500s. */
export function uploadProblem(err: unknown, maxBytes: number = MAX_ATTACHMENT_BYTES): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE')
      return new HttpProblem(413, '文件过大', `附件不能超过 ${mb(maxBytes)} MB`, {
        errors: [{ field: 'file', message: `不能超过 ${mb(maxBytes)} MB` }],
      });
    if (err.code === 'LIMIT_FILE_COUNT' || (err.code === 'LIMIT_UNEXPECTED_FILE' && err.field === 'file'))
      return HttpProblem.badRequest('上传的文件过多', [{ field: 'file', message: '文件个数超过上限' }]);
    return HttpProblem.badRequest(
      `上传无效：${err.code === 'LIMIT_UNEXPECTED_FILE' ? '文件字段须为 file' : err.code}`,
      [{ field: 'file', message: '上传无效' }],
    );
  }
  return HttpProblem.badRequest('上传无效', [{ field: 'file', message: '上传无效' }]);
}

/** Parses, then cleans the text fields as every other body is; the error is passed on raw. */
const parsed =
  (parser: RequestHandler): RequestHandler =>
  (req, res, next) =>
    parser(req, res, (err: unknown) => (err ? next(err) : cleanBody(req, res, next)));

const run =
  (parser: RequestHandler): RequestHandler =>
  (req, res, next) =>
    parsed(parser)(req, res, (err?: unknown) => next(err === undefined ? undefined : uploadProblem(err)));

/** One file in field `file` (API uploads); errors become problems. */
export const receiveFile: RequestHandler = run(uploadOne);

/** JSON bodies pass through; a multipart form (with an optional file) is parsed. */
export const optionalFile: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next();
  receiveFile(req, res, next);
};

/**
 * Page forms posted without JavaScript carry their CSRF token inside the multipart body, which
 * only multer reads: src/app.ts parses these paths before its CSRF check and leaves a refused
 * upload in `res.locals.uploadError` for the page to report.
 */
export function pageMultipart(path: string): RequestHandler | null {
  if (/^\/workspace\/(policies|interpretations)\/\d+\/attachments$/.test(path)) return parsed(uploadOne);
  if (/^\/disclosure\/requests\/\d+\/attachments$/.test(path)) return parsed(uploadOne);
  if (path === '/disclosure/apply') return parsed(uploadPublic);
  return null;
}

const UNSUPPORTED = '附件只能是 PDF、DOCX 或图片（PNG、JPEG、GIF、WebP）';

/** Checks one file's bytes by structure (not by its name) and names it by the detected type. */
export async function acceptFile(file: Express.Multer.File, field = 'file'): Promise<UploadedFile> {
  const type = await detectType(file.buffer);
  if (!type)
    throw new HttpProblem(415, '不支持的文件类型', UNSUPPORTED, {
      errors: [{ field, message: UNSUPPORTED }],
    });
  return {
    name: cleanFileName(file.originalname, type.ext),
    mime: type.mime,
    size: file.size,
    bytes: file.buffer,
  };
}

/** The one required file of an upload; the service stores it once the caller may attach. */
export async function acceptUpload(req: Request): Promise<UploadedFile> {
  const file = req.file;
  if (!file || file.size === 0)
    throw HttpProblem.badRequest('请选择要上传的文件', [{ field: 'file', message: '缺少文件' }]);
  return acceptFile(file);
}

/** The optional file of a form that may carry one. */
export async function optionalUpload(req: Request): Promise<UploadedFile | undefined> {
  const file = req.file;
  return file && file.size > 0 ? acceptFile(file) : undefined;
}

/** Every non-empty file of a multi-file form, each checked; the first refused one refuses all. */
export async function acceptUploads(req: Request): Promise<UploadedFile[]> {
  const files = Array.isArray(req.files) ? req.files : [];
  const out: UploadedFile[] = [];
  for (const f of files) if (f.size > 0) out.push(await acceptFile(f));
  return out;
}

/** Sends stored bytes: images and PDFs open in the browser unless `?download`, the rest download. */
export function sendStoredFile(req: Request, res: Response, dataDir: string, file: StoredFile): void {
  res.setHeader('Content-Type', file.mime);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader(
    'Content-Disposition',
    contentDisposition(
      opensInline(file.mime) && req.query.download === undefined ? 'inline' : 'attachment',
      file.file_name,
    ),
  );
  res.sendFile(attachmentPath(dataDir, file.sha256), (err) => {
    if (err && !res.headersSent) res.status(404).end();
  });
}
