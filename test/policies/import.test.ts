import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parsePolicyText, parseDateLine, parseDocNumberLine } from '../../src/policies/importer.js';
import { extractText, parsePolicyFile } from '../../src/policies/import-file.js';
import { normalizeDocNumber } from '../../src/policies/docnumber.js';
import { makeDocx } from '../support/docx.js';

const SEEDS = path.resolve(process.cwd(), 'test/fixtures/seeds');
const seed = (prefix: string) => {
  const f = readdirSync(SEEDS).find((n) => n.startsWith(prefix));
  if (!f) throw new Error(`seed ${prefix} missing`);
  return readFileSync(path.join(SEEDS, f), 'utf8');
};

describe('parsing the seed documents', () => {
  it('finds the title, 文号, 发文机关 and dates of every seed', () => {
    const expected: Record<string, Partial<ReturnType<typeof parsePolicyText>>> = {
      '000': {
        title: '关于印发纳溪区2016年政务公开工作实施方案的通知',
        // The website dropped 〕 and 号; the number is repaired.
        docNumber: '泸纳府办函〔2016〕131号',
        issuer: '泸州市纳溪区人民政府办公室',
        writtenOn: '2016-06-30',
        publishedOn: '2016-07-04',
      },
      '001': {
        title: '湛江市人民政府办公室关于印发湛江市2018年政务公开工作要点的通知',
        // 粤府办〔2018〕19号 is cited in the text, it is not this document's number.
        docNumber: null,
        issuer: '湛江市人民政府办公室',
        writtenOn: '2018-06-28',
        publishedOn: '2018-06-28',
      },
      '002': {
        title: '云龙县人民政府办公室关于进一步加强政务公开工作的通知',
        docNumber: null,
        issuer: '云龙县人民政府办公室',
        writtenOn: '2017-08-25',
        publishedOn: '2017-08-25',
      },
      '003': {
        // A transmittal without a title line: the plan's heading, broken over two lines, is joined.
        title: '徐水县2010年政务公开暨行政权力公开透明运行工作方案',
        docNumber: null,
        issuer: '中共徐水县委、徐水县人民政府',
        writtenOn: '2010-04-26',
        publishedOn: null,
      },
      '004': {
        // A compilation of several plans: its own heading is the title; 20XX dates are no dates.
        title: '政务公开工作实施方案',
        docNumber: null,
        writtenOn: null,
      },
    };
    const files = readdirSync(SEEDS).filter((f) => f.endsWith('.txt'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const want = expected[f.slice(0, 3)];
      expect({ f, known: want !== undefined }).toEqual({ f, known: true });
      const got = parsePolicyText(readFileSync(path.join(SEEDS, f), 'utf8'));
      expect({ f, ...got, body: undefined }).toMatchObject({ f, ...want });
      expect(got.body.length).toBeGreaterThan(1000);
    }
  });

  it('keeps the body as paragraphs, without website chrome or the repeated header', () => {
    const p = parsePolicyText(seed('000'));
    const lines = p.body.split('\n');
    expect(lines[0]).toBe('各镇人民政府,街道办事处,区级有关部门:');
    expect(lines).toContain('一、指导思想');
    expect(p.body).not.toContain('扫一扫');
    expect(p.body).not.toContain('打印正文');
    expect(p.body).not.toContain('发布时间');
    expect(lines.filter((l) => l === p.title)).toHaveLength(0);

    const z = parsePolicyText(seed('001'));
    expect(z.body).not.toMatch(/当前位置|继续访问|相关文章/);
    const y = parsePolicyText(seed('002'));
    expect(y.body).not.toMatch(/索引号|浏览次数/);
    expect(y.body.split('\n').at(-1)).toBe('2017年8月25日');
  });

  it('reads dates and numbers the way offices write them', () => {
    expect(parseDateLine('2018年6月28日')).toBe('2018-06-28');
    expect(parseDateLine('二〇一六年六月三十日')).toBe('2016-06-30');
    expect(parseDateLine('2016630')).toBe('2016-06-30');
    expect(parseDateLine('2016111')).toBeNull(); // 1-11 or 11-1: ambiguous, not guessed
    expect(parseDateLine('2026年2月30日')).toBeNull();
    expect(parseDocNumberLine('国办发〔2016〕80号')).toBe('国办发〔2016〕80号');
    expect(parseDocNumberLine('泸纳府办函〔2016131')).toBe('泸纳府办函〔2016〕131号');
    expect(normalizeDocNumber('[2009]保市政办351号')).toBe('保市政办〔2009〕351号');
    expect(normalizeDocNumber('国办发﹝2016﹞80号')).toBe('国办发〔2016〕80号');
    expect(normalizeDocNumber('晋政办发〔20XX〕73号')).toBeNull();
  });
});

describe('reading files', () => {
  it('reads .docx through mammoth and GB18030 .txt files', async () => {
    const docx = makeDocx([
      '泸州市纳溪区人民政府办公室',
      '泸纳府办函〔2016〕131号',
      '关于印发纳溪区2016年政务公开工作实施方案的',
      '通知',
      '各镇人民政府,街道办事处,区级有关部门:',
      '经区政府领导同意,现将《纳溪区2016年政务公开工作实施方案》印发你们,请遵照执行。',
      '泸州市纳溪区人民政府办公室',
      '2016年6月30日',
    ]);
    const p = await parsePolicyFile(docx, '通知.docx');
    expect(p).toMatchObject({
      title: '关于印发纳溪区2016年政务公开工作实施方案的通知',
      docNumber: '泸纳府办函〔2016〕131号',
      issuer: '泸州市纳溪区人民政府办公室',
      writtenOn: '2016-06-30',
    });
    expect(p.body.split('\n')).toHaveLength(4);

    const utf8 = Buffer.from('\ufeff关于做好秋季学期开学工作的通知\n正文。', 'utf8');
    expect(await extractText(utf8, 'a.txt')).toBe('关于做好秋季学期开学工作的通知\n正文。');
    // "政务" in GB18030 bytes.
    const gbk = Buffer.from([0xd5, 0xfe, 0xce, 0xf1]);
    expect(await extractText(gbk, 'b.txt')).toBe('政务');
    await expect(extractText(Buffer.from('x'), 'c.pdf')).rejects.toMatchObject({ status: 415 });
  });
});
