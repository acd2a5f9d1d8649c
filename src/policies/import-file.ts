import path from 'node:path';
import mammoth from 'mammoth';
import type { Core } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { HttpProblem } from '../shared/errors.js';
import { parsePolicyText, type ParsedPolicy } from './importer.js';
import { PolicyService } from './service.js';
import type { PolicyWithDept } from './policy-store.js';

/** The text of a .txt (UTF-8, else GB18030 as Chinese Windows saves it) or .docx file. */
export async function extractText(buf: Buffer, fileName: string): Promise<string> {
  const ext = path.extname(fileName).toLowerCase();
  if (ext === '.docx') {
    const { value } = await mammoth.extractRawText({ buffer: buf });
    return value;
  }
  if (ext === '.txt' || ext === '') {
    const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(buf);
    if (!utf8.includes('\ufffd')) return utf8.replace(/^\ufeff/, '');
    return new TextDecoder('gb18030').decode(buf);
  }
  throw new HttpProblem(415, '不支持的文件类型', `只能导入 .txt 或 .docx 文件：${path.basename(fileName)}`);
}

export async function parsePolicyFile(buf: Buffer, fileName: string): Promise<ParsedPolicy> {
  return parsePolicyText(await extractText(buf, fileName));
}

/**
 * Registers a parsed document as a draft of `departmentId`, or as already published on its
 * website date (historical documents: no interpretation clock, they need none now).
 */
export async function importParsed(
  core: Core,
  actor: Principal,
  parsed: ParsedPolicy,
  opts: { departmentId: number; source: string; published?: boolean },
): Promise<PolicyWithDept> {
  const day = parsed.publishedOn ?? parsed.writtenOn;
  return new PolicyService(core).importDocument(
    { actor, requestId: 'import-policy' },
    {
      title: parsed.title.slice(0, 300),
      docNumber: parsed.docNumber,
      issuer: parsed.issuer.slice(0, 100),
      draftingDepartmentId: opts.departmentId,
      writtenOn: parsed.writtenOn,
      body: parsed.body,
      requiresInterpretation: false,
      source: opts.source,
      publishedAt: opts.published && day ? new Date(`${day}T00:00:00+08:00`) : null,
    },
  );
}
