import { BorderStyle, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';

/** What the platform's generated Word files are served as. */
export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const LINE = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
const RULED = {
  top: LINE,
  bottom: LINE,
  left: LINE,
  right: LINE,
  insideHorizontal: LINE,
  insideVertical: LINE,
};

/**
 * A full-width table of text in the generated Word files: the first row is the header (bold,
 * repeated on every page); `size` is the text size in half-points; `ruled` draws black lines
 * around every cell, as the statistical tables of an annual report have.
 */
export function wordTable(grid: string[][], opts: { size: number; ruled?: boolean }): Table {
  const cell = (text: string, bold: boolean) =>
    new TableCell({
      children: [new Paragraph({ children: [new TextRun({ text, bold, size: opts.size })] })],
    });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    ...(opts.ruled && { borders: RULED }),
    rows: grid.map(
      (cells, i) =>
        new TableRow({ ...(i === 0 && { tableHeader: true }), children: cells.map((c) => cell(c, i === 0)) }),
    ),
  });
}
