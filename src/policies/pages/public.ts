import { Router } from 'express';
import { sql } from 'kysely';
import { parse, fields } from '../../shared/validation.js';
import { formatShanghai } from '../../shared/time.js';
import { listQuerySchema } from '../schemas.js';
import { FORM_LABELS, isPublic } from '../model.js';
import { PUBLIC_LAYOUT, attachmentView, bodyView, clockView, policyRowView } from '../views.js';
import { idOf, type PolicyPageContext } from './shared.js';
import { publicResponsesOfPolicy } from '../../site/responses.js';

/** The public website: the document list, a document, an interpretation. */
export function publicPolicyPages(ctx: PolicyPageContext): Router {
  const { core, svc, interpretationSvc, attachmentSvc } = ctx;
  const r = Router();

  r.get('/policies', async (req, res) => {
    const q = parse(listQuerySchema, req.query, '查询');
    // The website lists what is public, whoever looks; internal lists live in the workspace.
    const { rows, total, page, limit } = await svc.list(undefined, q);
    // The filter lists change only with the public content: computed once per content version.
    const filters = () =>
      Promise.all([
        core.db
          .selectFrom('departments')
          .select(['id', 'name'])
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('policies')
                .select('policies.id')
                .whereRef('policies.drafting_department_id', '=', 'departments.id')
                .where('policies.status', '=', 'published')
                .where('policies.disclosure', '=', 'proactive'),
            ),
          )
          .orderBy('name')
          .execute(),
        sql<{
          y: number;
        }>`select distinct extract(year from published_at at time zone 'Asia/Shanghai')::int as y
        from policies where status = 'published' and disclosure = 'proactive' order by y desc`.execute(
          core.db,
        ),
      ]);
    const [depts, years] = core.publicContent
      ? await core.publicContent.memo('policy-filters', filters)
      : await filters();
    const pages = Math.max(1, Math.ceil(total / limit));
    const link = (p: number) => {
      const u = new URLSearchParams();
      if (q.q) u.set('q', q.q);
      if (q.department) u.set('department', String(q.department));
      if (q.year) u.set('year', String(q.year));
      u.set('page', String(p));
      return `/policies?${u.toString()}`;
    };
    res.render('policies/list', {
      layout: PUBLIC_LAYOUT,
      title: '政策文件',
      policies: rows.map(policyRowView),
      total,
      q: q.q ?? '',
      department: q.department || '',
      year: q.year || '',
      departments: depts.map((d) => ({ ...d, selected: d.id === q.department })),
      years: years.rows.map((y) => ({ year: y.y, selected: y.y === q.year })),
      prev: page > 1 ? link(page - 1) : null,
      next: page < pages ? link(page + 1) : null,
      page,
      pages,
    });
  });

  r.get('/policies/:id', async (req, res) => {
    const row = await svc.get(req.principal, idOf(req));
    const [interps, attachments, clock, responses] = await Promise.all([
      interpretationSvc.interpretationsOf(row.id),
      attachmentSvc.attachmentsOf('policy', [row.id]),
      interpretationSvc.interpretationClock(row.id),
      publicResponsesOfPolicy(core.db, row.id),
    ]);
    res.render('policies/show', {
      layout: PUBLIC_LAYOUT,
      title: row.title,
      policy: policyRowView(row),
      preview: !isPublic(row),
      paragraphs: bodyView(row.body),
      attachments,
      interpretations: interps.map((i) => ({
        id: i.id,
        title: i.title,
        formLabel: FORM_LABELS[i.form],
        publishedText: formatShanghai(i.published_at),
        interpreter: i.interpreter,
        principal: i.interpreter_is_principal,
      })),
      clock: req.principal ? clockView(clock, core.clock.now()) : null,
      responses,
    });
  });

  r.get('/interpretations/:id', async (req, res) => {
    const { interpretation: i, policy } = await interpretationSvc.getInterpretation(
      req.principal,
      parse(fields.id, req.params.id, '解读编号'),
    );
    const attachments = (await attachmentSvc.attachmentsOf('interpretation', [i.id])).map(attachmentView);
    res.render('policies/interpretation', {
      layout: PUBLIC_LAYOUT,
      title: i.title,
      interpretation: {
        id: i.id,
        title: i.title,
        formLabel: FORM_LABELS[i.form],
        channel: i.channel,
        url: i.url,
        interpreter: i.interpreter,
        principal: i.interpreter_is_principal,
        publishedText: formatShanghai(i.published_at),
      },
      paragraphs: bodyView(i.body),
      // 图解: the pictures are the material, so they come before any text.
      imagesFirst: i.form === 'graphic',
      images: attachments.filter((a) => a.isImage),
      files: attachments.filter((a) => !a.isImage),
      policy: policyRowView(policy),
    });
  });
  return r;
}
