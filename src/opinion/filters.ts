import { z, fields } from '../shared/validation.js';
import { CHANNELS, type ChannelCode } from './channels.js';
import { AREAS } from './analysis/lexicon.js';
import type { SentimentLabel } from './tables.js';

/** The filters of /opinion, from a GET form: kept in every link of the page (paging, the stream). */

export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const satisfies readonly SentimentLabel[];
export const SENTIMENT_FILTER_LABELS: Record<SentimentLabel, string> = {
  negative: '以负面为主',
  neutral: '以中性为主',
  positive: '以正面为主',
};

/** An empty select or text box arrives as "": no filter. */
const blank = (v: unknown) => (v === '' ? undefined : v);
const channelCodes = Object.keys(CHANNELS) as [ChannelCode, ...ChannelCode[]];

export const opinionFilterSchema = z
  .object({
    channel: z.preprocess(blank, z.enum(channelCodes).optional()),
    sentiment: z.preprocess(blank, z.enum(SENTIMENTS).optional()),
    area: z.preprocess(blank, z.enum(AREAS).optional()),
    from: z.preprocess(blank, fields.isoDate.optional()),
    to: z.preprocess(blank, fields.isoDate.optional()),
    q: z.preprocess(blank, z.string().trim().max(50).optional()),
    page: z.preprocess(blank, z.coerce.number().int().min(1).max(10_000).default(1)),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ['to'], message: '不能早于起始日期' });

export type OpinionFilter = z.output<typeof opinionFilterSchema>;

/** The instants a filter's dates stand for: whole days in Asia/Shanghai, `to` inclusive. */
export function filterRange(f: Pick<OpinionFilter, 'from' | 'to'>): { since?: Date; until?: Date } {
  const day = (d: string) => new Date(`${d}T00:00:00+08:00`);
  return {
    ...(f.from ? { since: day(f.from) } : {}),
    ...(f.to ? { until: new Date(day(f.to).getTime() + 86_400_000) } : {}),
  };
}

/** `ILIKE` pattern matching the words literally. */
export const likePattern = (words: string) => `%${words.replace(/[\\%_]/g, '\\$&')}%`;

/** The page's address with the filters (and a page number when not the first). */
export function filterHref(base: string, f: Partial<OpinionFilter>, page = 1): string {
  const params = new URLSearchParams();
  for (const k of ['channel', 'sentiment', 'area', 'from', 'to', 'q'] as const) {
    const v = f[k];
    if (v) params.set(k, v);
  }
  if (page > 1) params.set('page', String(page));
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}

export interface Paging {
  page: number;
  pages: number;
  total: number;
  prev: string | null;
  next: string | null;
}

/** Page links for `total` rows at `size` a page; a page past the end shows the last one's links. */
export function paging(total: number, size: number, page: number, href: (page: number) => string): Paging {
  const pages = Math.max(1, Math.ceil(total / size));
  return {
    page,
    pages,
    total,
    prev: page > 1 ? href(Math.min(page - 1, pages)) : null,
    next: page < pages ? href(page + 1) : null,
  };
}
