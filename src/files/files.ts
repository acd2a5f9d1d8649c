import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import { PDFDocument } from 'pdf-lib';
import { toIsoShanghai } from '../shared/time.js';

export interface SniffedType {
  mime: string;
  ext: string;
}

/**
 * The file's real type from its first bytes: a renamed .exe is refused even when called .pdf.
 * DOCX is a ZIP whose entries include word/document.xml; other ZIPs (xlsx, jar) are refused.
 */
export function sniff(buf: Buffer): SniffedType | null {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => buf[at + i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return { mime: 'application/pdf', ext: 'pdf' };
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { mime: 'image/png', ext: 'png' };
  if (starts([0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', ext: 'jpg' };
  if (starts([0x47, 0x49, 0x46, 0x38])) return { mime: 'image/gif', ext: 'gif' };
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8))
    return { mime: 'image/webp', ext: 'webp' };
  if (starts([0x50, 0x4b, 0x03, 0x04]) && buf.includes('word/document.xml', 0, 'latin1'))
    return {
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ext: 'docx',
    };
  return null;
}

/**
 * The file's real type from its structure, not only its first bytes: a PDF must parse with at
 * least one page (a `%PDF-` header in front of HTML is refused), a DOCX must be an OOXML package
 * whose `[Content_Types].xml` declares `word/document.xml` as a Word document and contains it.
 */
export async function detectType(buf: Buffer): Promise<SniffedType | null> {
  const type = sniff(buf);
  if (!type) return null;
  try {
    if (type.ext === 'pdf') {
      const doc = await PDFDocument.load(buf, { ignoreEncryption: true, updateMetadata: false });
      return doc.getPageCount() > 0 ? type : null;
    }
    if (type.ext === 'docx') {
      const zip = await JSZip.loadAsync(buf);
      const types = await zip.file('[Content_Types].xml')?.async('string');
      const main = zip.file('word/document.xml');
      return types && main && /wordprocessingml\.document\.main\+xml/.test(types) ? type : null;
    }
  } catch {
    return null;
  }
  return type;
}

/**
 * The stored name: the upload's title (its name without the extension it claimed) made safe,
 * plus the extension of the type actually detected, so `poly.html` holding a PDF is `poly.pdf`.
 * Bidi controls (which made `问答\u202Excod.bat` display as `问答tab.docx`), other format and
 * control characters are removed. Names arrive as latin1-decoded UTF-8 from browsers.
 */
export function cleanFileName(raw: string, ext: string): string {
  const utf8 = Buffer.from(raw, 'latin1').toString('utf8');
  const title = (utf8.includes('\ufffd') ? raw : utf8)
    .normalize('NFC')
    .replace(
      // eslint-disable-next-line no-control-regex -- control, bidi and format characters are exactly what is removed
      /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g,
      '',
    )
    .replace(/[\\/:*?"<>|]/g, '_')
    .replace(/\.[A-Za-z0-9]{1,8}$/, '')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .slice(0, 200);
  return `${title || '附件'}.${ext}`;
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

export function attachmentPath(dataDir: string, hash: string): string {
  return path.join(dataDir, 'attachments', hash.slice(0, 2), hash);
}

/**
 * Stores the bytes under their hash. Identical files share one copy, and a file written for a
 * transaction that later fails is harmless: nothing points at it.
 */
export async function storeBytes(dataDir: string, buf: Buffer): Promise<string> {
  const hash = sha256(buf);
  const file = attachmentPath(dataDir, hash);
  const exists = await stat(file).then(
    (s) => s.size === buf.length,
    () => false,
  );
  if (!exists) {
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, buf, { mode: 0o640 });
    await rename(tmp, file);
  }
  return hash;
}

/**
 * Removes stored bytes. Callers hold the hash's lock and have seen no row pointing at them; if
 * their transaction then fails to commit, the restored row points at nothing and downloads 404.
 */
export async function removeBytes(dataDir: string, hash: string): Promise<void> {
  await rm(attachmentPath(dataDir, hash), { force: true });
}

/**
 * `Content-Disposition` for a stored name: RFC 6266 `filename*` in UTF-8 (with RFC 5987's
 * stricter escaping: ' ( ) * too), and an ASCII `filename` for clients that ignore it.
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const star = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${star}`;
}

/** Images and PDFs open in the browser; anything else (DOCX) is downloaded. */
export function opensInline(mime: string): boolean {
  return mime.startsWith('image/') || mime === 'application/pdf';
}

/** A checked upload: its cleaned name, the detected type, and the bytes. */
export interface UploadedFile {
  name: string;
  mime: string;
  size: number;
  bytes: Buffer;
}

/** What a stored file row holds, whichever table it is in. */
export interface StoredFile {
  file_name: string;
  mime: string;
  size: number;
  sha256: string;
}

const TYPE_LABELS: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/png': 'PNG 图片',
  'image/jpeg': 'JPEG 图片',
  'image/gif': 'GIF 图片',
  'image/webp': 'WebP 图片',
};

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} 字节`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** What pages show of a stored file at `href`: images are displayed, PDFs opened, the rest downloaded. */
export function fileView(a: StoredFile & { id: number }, href: string) {
  return {
    id: a.id,
    name: a.file_name,
    isImage: a.mime.startsWith('image/'),
    opens: opensInline(a.mime),
    typeLabel: TYPE_LABELS[a.mime] ?? (a.mime.includes('wordprocessingml') ? 'Word 文档' : a.mime),
    sizeText: sizeText(a.size),
    sha256: a.sha256,
    href,
    downloadHref: `${href}?download=1`,
  };
}

/** A stored file as the API shows it. */
export function fileJson(a: StoredFile & { id: number; created_at: Date }) {
  return {
    id: a.id,
    fileName: a.file_name,
    mime: a.mime,
    size: a.size,
    sha256: a.sha256,
    createdAt: toIsoShanghai(a.created_at),
  };
}
