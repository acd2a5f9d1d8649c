/**
 * A real (tiny) one-page PDF: uploads are parsed, so a bare `%PDF-` header no longer passes.
 * `note` goes into a comment so that tests can make distinct files.
 */
export function minimalPdf(note = ''): Buffer {
  return Buffer.from(
    `%PDF-1.4\n% ${note}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n` +
      '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
      '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n' +
      'trailer<</Root 1 0 R>>\n%%EOF\n',
  );
}
