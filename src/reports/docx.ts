/** The 舆情日报/周报 as a Word file: the same brief the page shows, with native Word charts. */
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TextRun } from 'docx';
import { ChartRun } from 'docx/charts';
import { formatShanghai } from '../shared/time.js';
import { wordTable } from '../shared/word.js';
import type { BriefEvent, OpinionBrief } from './brief.js';

const when = (iso: string | null) => (iso ? formatShanghai(new Date(iso), 'MM-dd HH:mm') : '');

/** A table of the brief; one row saying 无 when there is nothing to list. */
const table = (header: string[], rows: string[][]) =>
  wordTable([header, ...(rows.length ? rows : [header.map((_, i) => (i === 0 ? '无' : ''))])], { size: 20 });

const heading = (text: string) =>
  new Paragraph({ text, heading: HeadingLevel.HEADING_2, spacing: { before: 240 } });
const para = (text: string) =>
  new Paragraph({ children: [new TextRun({ text, size: 24 })], spacing: { after: 120 } });

function eventRows(events: BriefEvent[]): string[][] {
  return events.map((e) => [
    e.title,
    e.department,
    e.areas.join('、') || '—',
    `${e.itemsInPeriod}（累计 ${e.itemsCount}）`,
    String(e.heat),
    `${e.sentimentLabel}（负面 ${Math.round(e.negativeRatio * 100)}%）`,
    `${e.severityLabel}${e.emergency ? '·突发' : ''}／${e.statusLabel}`,
    e.clocks.map((c) => `${c.kindLabel}：${c.stateLabel}（${when(c.dueAt)} 到期）`).join('；') || '—',
  ]);
}

const EVENT_HEADER = ['事件', '责任单位', '领域', '信息量', '热度', '情感', '级别／状态', '回应时限'];

export async function briefDocx(b: OpinionBrief): Promise<Buffer> {
  const s = b.summary;
  const children: (Paragraph | Table)[] = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      children: [new TextRun({ text: b.title, bold: true, size: 40, color: 'A8151C' })],
      spacing: { after: 120 },
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      children: [
        new TextRun({
          text: `统计时段：${b.periodLabel}\u3000生成时间：${when(b.generatedAt)}`,
          size: 20,
          color: '6B7280',
        }),
      ],
      spacing: { after: 240 },
    }),
    heading('一、总体情况'),
    para(
      `${b.periodLabel}，共监测到相关信息 ${s.items} 条，其中负面 ${s.negative} 条；新发舆情事件 ${s.newEvents} 起，` +
        `持续关注事件 ${s.ongoingEvents} 起；发布回应 ${s.responses} 次；超时或逾期事项 ${s.late} 项` +
        (b.kind === 'weekly' ? `；作出问责决定 ${s.accountability} 项。` : '。'),
    ),
    heading('二、信息量分布'),
  ];
  if (b.volume.total > 0) {
    children.push(
      new Paragraph({
        children: [
          new ChartRun({
            type: 'column',
            title: b.kind === 'daily' ? '分时段信息量' : '每日信息量',
            categories: b.volume.series.labels,
            series: [{ name: '信息量', values: b.volume.series.values }],
            legend: false,
            transformation: { width: 560, height: 240 },
            altText: { name: 'volume', description: '信息量随时间分布', title: '信息量' },
          }),
        ],
      }),
      new Paragraph({
        children: [
          new ChartRun({
            type: 'bar',
            title: '分渠道信息量',
            categories: b.volume.byChannel.map((c) => c.label),
            series: [{ name: '信息量', values: b.volume.byChannel.map((c) => c.count) }],
            legend: false,
            transformation: { width: 560, height: 220 },
            altText: { name: 'channels', description: '各渠道信息量', title: '分渠道信息量' },
          }),
        ],
      }),
    );
  }
  children.push(
    table(
      ['渠道', '信息量'],
      b.volume.byChannel.map((c) => [c.label, String(c.count)]),
    ),
    para(''),
    table(
      ['领域', '信息量'],
      b.volume.byArea.map((c) => [c.label, String(c.count)]),
    ),
    para(''),
    table(
      ['情感', '信息量'],
      b.volume.bySentiment.map((c) => [c.label, String(c.count)]),
    ),
    heading('三、新发舆情事件'),
    table(EVENT_HEADER, eventRows(b.newEvents)),
    heading('四、持续关注事件'),
    table(EVENT_HEADER, eventRows(b.ongoingEvents)),
    heading('五、回应处置情况'),
    table(
      ['时间', '事件', '回应方式', '渠道', '内容'],
      b.responses.map((r) => [
        when(r.occurredAt),
        r.eventTitle,
        r.kindLabel,
        r.channel,
        r.text.slice(0, 200),
      ]),
    ),
    heading('六、超时及逾期事项'),
    table(
      ['事项', '类型', '责任单位', '状态', '期限', '完成', '逾期'],
      b.late.map((l) => [
        l.title,
        l.kindLabel,
        l.department,
        l.stateLabel,
        when(l.dueAt),
        when(l.doneAt),
        l.lateness,
      ]),
    ),
    heading('七、关联政策文件'),
    table(
      ['文件', '文号', '起草单位', '相关事件'],
      b.policies.map((p) => [p.title, p.docNumber, p.department, p.eventTitles.join('；')]),
    ),
  );
  if (b.kind === 'weekly')
    children.push(
      heading('八、问责情况'),
      table(
        ['决定时间', '责任单位', '问责方式', '事项', '说明'],
        b.accountability.map((a) => [
          when(a.decidedAt),
          a.department,
          a.decisionLabel,
          `${a.kindLabel}：${a.clockTitle}`,
          a.note,
        ]),
      ),
    );
  const doc = new Document({
    creator: '政策解读与政务舆情回应平台',
    title: b.title,
    styles: {
      default: {
        document: { run: { font: { ascii: 'SimSun', eastAsia: '宋体', hAnsi: 'SimSun' }, size: 24 } },
        heading2: {
          run: { font: { eastAsia: '黑体', ascii: 'SimHei', hAnsi: 'SimHei' }, size: 30, bold: true },
        },
      },
    },
    sections: [{ children }],
  });
  return Packer.toBuffer(doc);
}
