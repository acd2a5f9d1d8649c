import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { formatShanghai } from '../shared/time.js';
import { outcomeByCode } from './rules.js';
import type { RequestRow } from './model.js';

/** What each outcome group tells the applicant, before the reason and the legal basis. */
const DECISIONS: Record<string, string> = {
  disclose:
    '经审查，您申请公开的政府信息属于公开范围，本机关决定予以公开，现将有关信息（或获取方式、途径）提供给您。',
  partial:
    '经审查，您申请公开的政府信息中含有不应当公开的内容，但能够作区分处理，本机关决定部分公开，对可以公开的内容予以提供，对不予公开的部分说明理由如下。',
  withhold: '经审查，您申请公开的政府信息属于不予公开的范围，本机关决定不予公开，理由如下。',
  unable: '经审查，本机关无法向您提供所申请的政府信息，理由如下。',
  reject: '经审查，您的申请本机关不予处理，理由如下。',
  other: '您的申请按以下方式处理。',
};

/** The reply letter (政府信息公开申请答复告知书) as a Word file, with the legal basis of its outcome. */
export async function replyLetterDocx(
  r: RequestRow,
  orgName: string,
  departmentName: string | null,
): Promise<Buffer> {
  const outcome = r.outcome ? outcomeByCode(r.outcome) : undefined;
  if (!outcome) throw new Error('request has no outcome');
  const p = (text: string, opts: { indent?: boolean; right?: boolean; bold?: boolean } = {}) =>
    new Paragraph({
      alignment: opts.right ? AlignmentType.RIGHT : AlignmentType.LEFT,
      ...(opts.indent ? { indent: { firstLine: 480 } } : {}),
      spacing: { after: 120 },
      children: [new TextRun({ text, bold: opts.bold ?? false, size: 24 })],
    });
  const repliedOn = r.replied_at ?? r.closed_at;
  const doc = new Document({
    creator: '政策解读与政务舆情回应平台',
    title: `政府信息公开申请答复告知书 ${r.number}`,
    sections: [
      {
        children: [
          new Paragraph({
            heading: HeadingLevel.TITLE,
            alignment: AlignmentType.CENTER,
            children: [new TextRun('政府信息公开申请答复告知书')],
          }),
          p(`编号：${r.number}`, { right: true }),
          p(`${r.applicant_name}：`),
          p(
            `本机关于${formatShanghai(r.received_at, 'yyyy年M月d日')}收到您提出的政府信息公开申请，申请内容为：“${r.content}”。`,
            { indent: true },
          ),
          p(DECISIONS[outcome.groupCode]!, { indent: true }),
          p(
            `处理结果：${outcome.group === outcome.label ? outcome.group : `${outcome.group}（${outcome.label}）`}。`,
            {
              indent: true,
              bold: true,
            },
          ),
          ...(r.reply_reason ? [p(`理由：${r.reply_reason}`, { indent: true })] : []),
          p(`依据：${outcome.basis}。`, { indent: true }),
          p(
            '如对本答复不服，可以自收到本告知书之日起六十日内依法申请行政复议，或者自收到本告知书之日起六个月内依法向人民法院提起行政诉讼。',
            { indent: true },
          ),
          p(`${orgName}${departmentName ? `（${departmentName}承办）` : ''}`, { right: true }),
          p(repliedOn ? formatShanghai(repliedOn, 'yyyy年M月d日') : '', { right: true }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
