import { Router } from 'express';
import { sql } from 'kysely';
import type { Core } from '../context.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { authorize, can, departmentFilter } from '../auth/policy.js';
import { parse, fields, check, fieldLabel, z } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { trendOf, type Trend } from './analysis/rules.js';
import { SENTIMENTS, SENTIMENT_FILTER_LABELS, filterHref, opinionFilterSchema, paging } from './filters.js';
import { withFlash } from '../web/flash.js';
import { LATEST_ITEMS_DAYS, type OpinionService } from './service.js';
import type { OpinionConfig } from './config/index.js';
import { schemeSchema } from './config/schemes.js';
import { lexiconSchema } from './config/lexicon.js';
import { termSchema } from './config/terms.js';
import { parseRulesForm, rulesFormView } from './config/rules-form.js';
import { sparkline } from './sparkline.js';
import { CHANNELS, channelLabel } from './channels.js';
import { AREAS, HAZARD_KIND_LABELS, HAZARD_KINDS, SIGNALS, type HazardKind } from './analysis/lexicon.js';
import { ctxOf } from '../shared/context.js';
import { SEVERITY_LABELS, isFinished } from '../events/rules.js';
import { OpinionCorrections } from './corrections.js';
import { SEVERITIES } from '../events/tables.js';
import { clockPreviews } from '../events/timeline.js';

const TRENDS: Record<Trend, { trendLabel: string; trendArrow: string }> = {
  rising: { trendLabel: '上升', trendArrow: '↑' },
  flat: { trendLabel: '平稳', trendArrow: '→' },
  falling: { trendLabel: '回落', trendArrow: '↓' },
};
/** The trend as shown: computed at render time from the hourly volume, never a stale stored word. */
const trendView = (t: Trend) => ({ trend: t, ...TRENDS[t] });

const EVENTS_PER_PAGE = 20;
const ITEMS_PER_PAGE = 50;
/** Latest items shown in the stream before live ones arrive. */
const STREAM_ROWS = 20;
const eventItemsQuery = z.object({
  page: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int().min(1).max(10_000).default(1),
  ),
});

/** A query string parsed for a page: a 400 whose text names each field and what is wrong with it. */
function parseQuery<S extends z.ZodType>(schema: S, query: unknown, what = '筛选条件'): z.output<S> {
  const r = check(schema, query);
  if (r.ok) return r.value;
  const text = r.errors.map((e) => `${fieldLabel(e.field)}${e.message}`).join('；');
  throw HttpProblem.badRequest(`${what}有误：${text}。`, r.errors);
}
const parseFilter = (query: unknown) => parseQuery(opinionFilterSchema, query);

function filterChoices() {
  return {
    channels: Object.entries(CHANNELS).map(([value, label]) => ({ value, label })),
    sentiments: SENTIMENTS.map((value) => ({ value, label: SENTIMENT_FILTER_LABELS[value] })),
    areas: AREAS,
  };
}
const REPOST_LABELS = { all: '全部', original: '仅原创', repost: '仅转发' } as const;

/** Form textareas: words separated by newlines, commas, 、 or spaces. */
const splitWords = (v: unknown) =>
  String(v ?? '')
    .split(/[\s,，、;；]+/)
    .map((w) => w.trim())
    .filter(Boolean);
const asArray = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

export function opinionPageRoutes(core: Core, svc: OpinionService, cfg: OpinionConfig): Router {
  const r = Router();

  r.get('/opinion', requirePageLogin, async (req, res) => {
    const p = req.principal!;
    authorize(p, 'opinion.read');
    const f = parseFilter(req.query);
    const [{ events, total }, stats, items] = await Promise.all([
      svc.eventPage(p, f, { limit: EVENTS_PER_PAGE, offset: (f.page - 1) * EVENTS_PER_PAGE }),
      svc.stats(p),
      svc.latestItems(p, f, STREAM_ROWS),
    ]);
    const hourly = await svc.hourly(events.map((e) => e.id));
    const now = core.clock.now().getTime();
    res.render('opinion/index', {
      title: '舆情监测',
      wide: true,
      stats,
      filters: f,
      choices: filterChoices(),
      filtered: ['channel', 'sentiment', 'area', 'from', 'to', 'q'].some((k) => f[k as keyof typeof f]),
      paging: paging(total, EVENTS_PER_PAGE, f.page, (n) => filterHref('/opinion', f, n)),
      events: events.map((e) => {
        const series = hourly.get(e.id) ?? [];
        return {
          ...e,
          ...trendView(trendOf(series, now)),
          suggestedLabel: e.suggestedSeverity ? SEVERITY_LABELS[e.suggestedSeverity] : '',
          negativePercent: Math.round(e.negativeRatio * 100),
          spark: sparkline(series),
        };
      }),
      items,
      latestDays: LATEST_ITEMS_DAYS,
      canConfigure: can(p, 'opinion.configure'),
      canSeeItems: departmentFilter(p, 'opinion.read') === null,
    });
  });

  r.get('/opinion/events/:id', requirePageLogin, async (req, res) => {
    const p = req.principal!;
    const id = parse(fields.id, req.params.id, '事件编号');
    const { page } = parseQuery(eventItemsQuery, req.query, '地址中的参数');
    const event = await svc.event(p, id);
    const [items, itemsTotal] = await Promise.all([
      svc.eventItems(p, id, { limit: ITEMS_PER_PAGE, offset: (page - 1) * ITEMS_PER_PAGE }),
      svc.eventItemsCount(id),
    ]);
    const hourly = (await svc.hourly([id])).get(id) ?? [];
    const analysis = (event.analysis ?? {}) as {
      sentiment?: { negative: number; neutral: number; positive: number };
      triggers?: Record<string, { word: string; items: number }[]>;
      negativeWords?: { word: string; items: number }[];
      channels?: Record<string, number>;
      casualties?: { deaths: number; injuries: number; missing: number; evidence: string[] };
      places?: string[];
      fired?: string[];
    };
    const policies = event.policyIds.length
      ? (
          await sql<{ id: number; title: string }>`
            select id, title from policies where id = any(${event.policyIds}::int[]) order by id
          `.execute(core.db)
        ).rows
      : [];
    res.render('opinion/event', {
      title: event.title,
      event: {
        ...event,
        ...trendView(trendOf(hourly, core.clock.now().getTime())),
        suggestedLabel: event.suggestedSeverity ? SEVERITY_LABELS[event.suggestedSeverity] : '',
        negativePercent: Math.round(event.negativeRatio * 100),
      },
      spark: sparkline(hourly, 360, 60),
      sentiment: analysis.sentiment ?? { negative: 0, neutral: 0, positive: 0 },
      triggers: Object.entries(analysis.triggers ?? {}).map(([label, words]) => ({ label, words })),
      negativeWords: analysis.negativeWords ?? [],
      channels: Object.entries(analysis.channels ?? {})
        .sort((a, b) => b[1] - a[1])
        .map(([code, n]) => ({ label: channelLabel(code), n })),
      casualties: analysis.casualties,
      // Divisions are kept as paths (江苏省/盐城市/响水县); people read them run together.
      places: (analysis.places ?? []).map((p) => p.replaceAll('/', '')),
      policies,
      items,
      itemsPaging: paging(itemsTotal, ITEMS_PER_PAGE, page, (n) =>
        n > 1 ? `/opinion/events/${id}?page=${n}` : `/opinion/events/${id}`,
      ),
      canTriage: can(p, 'event.triage') && !isFinished(event.status),
      canCorrect: can(p, 'opinion.configure'),
      correctionChoices: { areas: AREAS, signals: SIGNALS },
      // 确认 shows what it opens: the severity to choose (the analysis' suggestion preselected,
      // none when there is no suggestion for an emergency) and each outcome's clocks.
      confirm: {
        severities: SEVERITIES.map((value) => ({
          value,
          label: SEVERITY_LABELS[value],
          selected:
            value ===
            (event.suggestedSeverity ??
              (event.emergencySignal || analysis.casualties?.evidence.length ? null : 'general')),
        })),
        chosen:
          Boolean(event.suggestedSeverity) ||
          !(event.emergencySignal || analysis.casualties?.evidence.length),
        emergency: Boolean(event.emergencySignal),
        previews: await clockPreviews(core.db, new Date(event.detectedAt!)),
      },
    });
  });

  // ---- 监测方案、本地词、词库、预警规则 ----
  r.get('/opinion/settings', requirePageLogin, async (req, res) => {
    const p = req.principal!;
    authorize(p, 'opinion.configure');
    const [schemes, terms, lexicon, rules, departments, corrections] = await Promise.all([
      cfg.schemes.list(p),
      cfg.terms.list(p),
      cfg.lexicon.list(p),
      cfg.rules.get(p),
      core.db.selectFrom('departments').select(['id', 'name']).orderBy('id').execute(),
      new OpinionCorrections(core).summary(p),
    ]);
    res.render('opinion/admin', {
      corrections,
      title: '监测方案与词库',
      schemes: schemes.map((s) => ({
        ...s,
        repostLabel: REPOST_LABELS[s.repost],
        dutyName: departments.find((d) => d.id === s.dutyDepartmentId)?.name ?? '舆情中心（默认）',
      })),
      terms,
      overrides: lexicon.overrides.map((o) => ({
        ...o,
        kindLabel: o.kind ? (HAZARD_KIND_LABELS[o.kind as HazardKind] ?? o.kind) : '',
      })),
      hazardKinds: HAZARD_KINDS.map((value) => ({ value, label: HAZARD_KIND_LABELS[value] })),
      rulesForm: rulesFormView(rules.rules),
      departments,
      channels: Object.entries(CHANNELS).map(([value, label]) => ({ value, label })),
      areas: AREAS,
      signals: SIGNALS,
    });
  });

  const back = '/opinion/settings';
  r.post('/opinion/settings/schemes', requirePageLogin, async (req, res) => {
    await withFlash(req, res, back, async () => {
      const b = req.body as Record<string, unknown>;
      const input = parse(
        schemeSchema,
        {
          name: b.name,
          enabled: true,
          regionWords: splitWords(b.regionWords),
          subjectWords: splitWords(b.subjectWords),
          mustWords: splitWords(b.mustWords),
          excludeWords: splitWords(b.excludeWords),
          channels: asArray(b.channels),
          sources: splitWords(b.sources),
          repost: b.repost || 'all',
          dutyDepartmentId: b.dutyDepartmentId ? Number(b.dutyDepartmentId) : null,
        },
        '监测方案',
      );
      const s = await cfg.schemes.create(ctxOf(req), input);
      return `已添加监测方案“${s.name}”`;
    });
  });
  r.post('/opinion/settings/schemes/:id/toggle', requirePageLogin, async (req, res) => {
    await withFlash(req, res, back, async () => {
      const id = parse(fields.id, req.params.id, '编号');
      const enabled = (req.body as Record<string, unknown>).enabled === 'true';
      const s = await cfg.schemes.update(ctxOf(req), id, { enabled });
      return `监测方案“${s.name}”已${enabled ? '启用' : '停用'}`;
    });
  });
  r.post('/opinion/settings/schemes/:id/delete', requirePageLogin, async (req, res) => {
    await withFlash(req, res, back, async () => {
      await cfg.schemes.remove(ctxOf(req), parse(fields.id, req.params.id, '编号'));
      return '已删除监测方案';
    });
  });
  r.post('/opinion/settings/terms', requirePageLogin, async (req, res) => {
    await withFlash(req, res, back, async () => {
      const b = req.body as Record<string, unknown>;
      const terms = splitWords(b.words).map((word) => parse(termSchema, { word, kind: b.kind }, '本地词'));
      const { added } = await cfg.terms.add(ctxOf(req), terms);
      return `已添加 ${added} 个本地词`;
    });
  });
  r.post('/opinion/settings/terms/:id/delete', requirePageLogin, async (req, res) => {
    await withFlash(req, res, back, async () => {
      await cfg.terms.remove(ctxOf(req), parse(fields.id, req.params.id, '编号'));
      return '已删除本地词（分词在重启后生效）';
    });
  });
  r.post('/opinion/settings/lexicon', requirePageLogin, async (req, res) => {
    await withFlash(req, res, back, async () => {
      const b = req.body as Record<string, unknown>;
      const [lexicon, label] = String(b.target ?? '').split(':');
      const input = parse(
        lexiconSchema,
        {
          lexicon,
          label,
          word: b.word,
          weight: b.weight || 1,
          removed: b.removed === 'true',
          kind: b.kind,
        },
        '词库',
      );
      await cfg.lexicon.set(ctxOf(req), input);
      return `词库已更新：${input.word}`;
    });
  });
  r.post('/opinion/settings/lexicon/:id/delete', requirePageLogin, async (req, res) => {
    await withFlash(req, res, back, async () => {
      await cfg.lexicon.remove(ctxOf(req), parse(fields.id, req.params.id, '编号'));
      return '已撤销词库修改';
    });
  });
  r.post('/opinion/settings/rules', requirePageLogin, async (req, res) => {
    await withFlash(req, res, back, async () => {
      authorize(req.principal, 'opinion.configure');
      const { rules } = await cfg.rules.get(req.principal);
      await cfg.rules.set(ctxOf(req), parseRulesForm(req.body ?? {}, rules));
      return '预警规则已保存';
    });
  });

  return r;
}
