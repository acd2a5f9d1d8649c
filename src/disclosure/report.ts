import ExcelJS from 'exceljs';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { DateTime } from 'luxon';
import { sql } from 'kysely';
import type { Core } from '../context.js';
import { ZONE, shanghaiDate } from '../shared/time.js';
import { wordTable } from '../shared/word.js';
import {
  APPLICANT_TYPE_LABELS,
  OUTCOMES,
  TABLE3_COLUMNS,
  table3,
  table4,
  type ResultCounts,
  type Table3,
  type Table3Counts,
  type Table4,
} from './rules.js';
import { annualInputsSchema, type AnnualInputs } from './schemas.js';

export interface NormativeCounts {
  issued: number;
  repealed: number;
  inForce: number;
}

export interface AnnualReport {
  year: number;
  proactive: {
    regulations: NormativeCounts;
    normativeDocuments: NormativeCounts;
    licensing: number;
    punishment: number;
    enforcement: number;
    feesTenThousandYuan: number;
  };
  requests: Table3 & {
    rows: { key: string; label: string; counts: Table3Counts }[];
    totals: Table3Counts;
  };
  reviews: Table4;
}

const yearStart = (y: number) => DateTime.fromObject({ year: y }, { zone: ZONE }).toJSDate();

/** 政府信息公开工作年度报告 tables 二, 三 and 四 (国办公开办函〔2021〕30号) for one year. */
export async function annualReport(core: Core, year: number): Promise<AnnualReport> {
  const db = core.db;
  const end = yearStart(year + 1);
  const last = `${year}-12-31`;
  const [requests, challenges, inputsRow, normative] = await Promise.all([
    db
      .selectFrom('disclosure_requests')
      .select(['applicant_type', 'received_at', 'closed_at', 'outcome'])
      .where('received_at', '<', end)
      .execute(),
    db
      .selectFrom('disclosure_challenges')
      .select(['kind', 'after_review', 'filed_on', 'result', 'decided_on'])
      .where('filed_on', '>=', `${year}-01-01`)
      .where('filed_on', '<=', last)
      .execute(),
    db.selectFrom('disclosure_annual_inputs').select('data').where('year', '=', year).executeTakeFirst(),
    sql<{ kind: 'regulation' | 'normative'; issued: number; repealed: number; in_force: number }>`
      select normative_kind as kind,
        count(*) filter (where published_at >= ${yearStart(year)} and published_at < ${end})::int as issued,
        count(*) filter (where repealed_on between ${`${year}-01-01`}::date and ${last}::date)::int as repealed,
        count(*) filter (where published_at < ${end}
          and (repealed_on is null or repealed_on > ${last}::date)
          and (withdrawn_at is null or withdrawn_at >= ${end}))::int as in_force
      from policies
      where normative_kind is not null and published_at is not null
      group by normative_kind`.execute(db),
  ]);
  const t3 = table3(
    requests.map((r) => ({
      applicantType: r.applicant_type,
      receivedOn: shanghaiDate(r.received_at),
      closedOn: r.closed_at ? shanghaiDate(r.closed_at) : null,
      outcome: r.outcome,
    })),
    year,
  );
  const t4 = table4(
    challenges.map((c) => ({
      kind: c.kind,
      afterReview: c.after_review,
      filedOn: c.filed_on,
      result: c.result,
      decidedOn: c.decided_on,
    })),
    year,
  );
  const inputs: AnnualInputs = annualInputsSchema.parse(inputsRow?.data ?? {});
  const n = (k: 'regulation' | 'normative'): NormativeCounts => {
    const r = normative.rows.find((x) => x.kind === k);
    return { issued: r?.issued ?? 0, repealed: r?.repealed ?? 0, inForce: r?.in_force ?? 0 };
  };
  return {
    year,
    proactive: {
      regulations: n('regulation'),
      normativeDocuments: n('normative'),
      licensing: inputs.licensing,
      punishment: inputs.punishment,
      enforcement: inputs.enforcement,
      feesTenThousandYuan: inputs.fees,
    },
    requests: { ...t3, rows: table3Rows(t3), totals: t3.resultsTotal },
    reviews: t4,
  };
}

/** Table 三 as printed: every row with its label, in the order of the national format. */
export function table3Rows(t: Table3): { key: string; label: string; counts: Table3Counts }[] {
  const rows: { key: string; label: string; counts: Table3Counts }[] = [
    { key: 'newlyReceived', label: '一、本年新收政府信息公开申请数量', counts: t.newlyReceived },
    { key: 'carriedOver', label: '二、上年结转政府信息公开申请数量', counts: t.carriedOver },
  ];
  const groupTitles: Record<string, string> = {
    disclose: '（一）予以公开',
    partial: '（二）部分公开（区分处理的，只计这一情形，不计其他情形）',
    withhold: '（三）不予公开',
    unable: '（四）无法提供',
    reject: '（五）不予处理',
    other: '（六）其他处理',
  };
  for (const g of t.groups) {
    const members = OUTCOMES.filter((o) => o.groupCode === g.key);
    if (members.length === 1) {
      rows.push({
        key: `result.${g.key}`,
        label: `三、本年度办理结果 ${groupTitles[g.key]}`,
        counts: g.counts,
      });
      continue;
    }
    rows.push({ key: `group.${g.key}`, label: `三、本年度办理结果 ${groupTitles[g.key]}`, counts: g.counts });
    for (const o of members) {
      const row = t.outcomes.find((x) => x.key === o.code)!;
      rows.push({ key: `result.${o.code}`, label: `\u3000\u3000${o.formLabel}`, counts: row.counts });
    }
  }
  rows.push({ key: 'resultsTotal', label: '三、本年度办理结果 （七）总计', counts: t.resultsTotal });
  rows.push({ key: 'carriedForward', label: '四、结转下年度继续办理', counts: t.carriedForward });
  return rows;
}

const COLUMN_LABELS = [
  ...TABLE3_COLUMNS.slice(0, -1).map((c) => APPLICANT_TYPE_LABELS[c as keyof typeof APPLICANT_TYPE_LABELS]),
  '总计',
];
const COLUMN_HEADS = ['自然人', ...COLUMN_LABELS.slice(1, 6).map((l) => `法人或其他组织·${l}`), '总计'];
const RESULT_KEYS: (keyof ResultCounts)[] = ['upheld', 'corrected', 'other', 'pending', 'total'];
const RESULT_LABELS = ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计'];

function table2Rows(r: AnnualReport): string[][] {
  const p = r.proactive;
  return [
    ['第二十条第（一）项', '本年制发件数', '本年废止件数', '现行有效件数'],
    ['规章', String(p.regulations.issued), String(p.regulations.repealed), String(p.regulations.inForce)],
    [
      '行政规范性文件',
      String(p.normativeDocuments.issued),
      String(p.normativeDocuments.repealed),
      String(p.normativeDocuments.inForce),
    ],
    ['第二十条第（五）项', '本年处理决定数量', '', ''],
    ['行政许可', String(p.licensing), '', ''],
    ['第二十条第（六）项', '本年处理决定数量', '', ''],
    ['行政处罚', String(p.punishment), '', ''],
    ['行政强制', String(p.enforcement), '', ''],
    ['第二十条第（八）项', '本年收费金额（单位：万元）', '', ''],
    ['行政事业性收费', String(p.feesTenThousandYuan), '', ''],
  ];
}

function table3Grid(r: AnnualReport): string[][] {
  return [
    ['（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）', ...COLUMN_HEADS],
    ...r.requests.rows.map((row) => [row.label.trim(), ...TABLE3_COLUMNS.map((c) => String(row.counts[c]))]),
  ];
}

function table4Grid(r: AnnualReport): string[][] {
  const t = r.reviews;
  const head = [
    ...RESULT_LABELS.map((l) => `行政复议·${l}`),
    ...RESULT_LABELS.map((l) => `行政诉讼（未经复议直接起诉）·${l}`),
    ...RESULT_LABELS.map((l) => `行政诉讼（复议后起诉）·${l}`),
  ];
  const values = [t.review, t.suitDirect, t.suitAfterReview].flatMap((b) =>
    RESULT_KEYS.map((k) => String(b[k])),
  );
  return [head, values];
}

const WORD = { size: 18, ruled: true };

/** The Word file: the three tables under the format's headings. */
export async function annualReportDocx(r: AnnualReport, orgName: string): Promise<Buffer> {
  const h = (text: string) =>
    new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(text)] });
  const doc = new Document({
    creator: '政策解读与政务舆情回应平台',
    title: `${orgName}${r.year}年政府信息公开工作年度报告`,
    sections: [
      {
        children: [
          new Paragraph({
            heading: HeadingLevel.TITLE,
            alignment: AlignmentType.CENTER,
            children: [new TextRun(`${orgName}${r.year}年政府信息公开工作年度报告（统计表）`)],
          }),
          h('二、主动公开政府信息情况'),
          wordTable(table2Rows(r), WORD),
          h('三、收到和处理政府信息公开申请情况'),
          wordTable(table3Grid(r), WORD),
          new Paragraph({
            children: [
              new TextRun(
                r.requests.balanced
                  ? '勾稽关系核对：一 + 二 = 三（七）+ 四，各列相符。'
                  : `勾稽关系核对：以下各列不相符：${r.requests.unbalancedColumns.join('、')}`,
              ),
            ],
          }),
          h('四、政府信息公开行政复议、行政诉讼情况'),
          wordTable(table4Grid(r), WORD),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

/** The Excel file: one sheet per table, numbers as numbers. */
export async function annualReportXlsx(r: AnnualReport, orgName: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '政策解读与政务舆情回应平台';
  const sheet = (name: string, title: string, grid: string[][]) => {
    const ws = wb.addWorksheet(name);
    ws.addRow([title]).font = { bold: true };
    grid.forEach((cells, i) => {
      const row = ws.addRow(
        cells.map((c, j) => (i > 0 && j > 0 && c !== '' && !Number.isNaN(Number(c)) ? Number(c) : c)),
      );
      if (i === 0) row.font = { bold: true };
    });
    ws.getColumn(1).width = 48;
  };
  sheet('二 主动公开', `${orgName}${r.year}年 二、主动公开政府信息情况`, table2Rows(r));
  sheet('三 依申请公开', `${orgName}${r.year}年 三、收到和处理政府信息公开申请情况`, table3Grid(r));
  const t4 = table4Grid(r);
  // Table 四 reads better transposed in a sheet: one row per cell of the format.
  sheet('四 复议诉讼', `${orgName}${r.year}年 四、政府信息公开行政复议、行政诉讼情况`, [
    ['项目', '件数'],
    ...t4[0]!.map((label, i) => [label, t4[1]![i]!]),
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
