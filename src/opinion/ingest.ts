import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { HttpProblem, type FieldError } from '../shared/errors.js';
import { check, fields, z } from '../shared/validation.js';
import { CHANNELS, channelCode } from './channels.js';
import { ensureItemPartitions } from './partitions.js';

export const MAX_BATCH_ITEMS = 1000;
export const MAX_BATCH_BYTES = 5 * 1024 * 1024;
/** Crawler clocks drift: publication times up to this far in the future are accepted. */
export const FUTURE_SKEW_MS = 5 * 60_000;
export const QUEUE_CHANNEL = 'opinion_items';
/** The queue channel's payload of a 人工研判 that moved a cluster (the leader applies it, corrections.ts). */
export const CORRECTION_NOTICE = 'correction';

const channelList = Object.entries(CHANNELS)
  .map(([code, label]) => `${code}(${label})`)
  .join('、');

const metricsSchema = z
  .record(z.string().max(40), z.number().finite().min(0, '不能为负数'))
  .refine((m) => Object.keys(m).length <= 20, '最多 20 项指标');

export const itemSchema = z.object({
  source: fields.text(100),
  channel: z.string().transform((v, ctx) => {
    const code = channelCode(v);
    if (!code) ctx.addIssue({ code: 'custom', message: `未知渠道，可选：${channelList}` });
    return code ?? 'other';
  }),
  externalId: fields.optionalText(200),
  url: z
    .url({ protocol: /^https?$/, message: '须为 http(s) 地址' })
    .max(2000, '不能超过 2000 个字符')
    .optional(),
  title: fields.optionalText(500),
  content: fields.text(100_000),
  author: fields.optionalText(200),
  publishedAt: fields.isoDateTime,
  metrics: metricsSchema.optional(),
  isRepost: z.boolean().optional(),
});
export type IngestItem = z.output<typeof itemSchema>;

export interface Rejected {
  index: number;
  field: string;
  error: string;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejected[];
}

function uuidOf(kind: string, ...parts: string[]): string {
  const h = createHash('md5').update(kind).update('\u0000').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The idempotency key: (source, externalId) when the crawler has ids, else the URL, else a
 * fingerprint of who said what when (two people posting the same words stay two items).
 */
export function itemKey(i: IngestItem, publishedAt: Date): string {
  if (i.externalId) return uuidOf('x', i.source, i.externalId);
  if (i.url) return uuidOf('u', i.url);
  return uuidOf('h', i.source, i.channel, i.author ?? '', publishedAt.toISOString(), i.content);
}

function describe(errors: FieldError[]): Rejected {
  const first = errors[0]!;
  return {
    index: -1,
    field: first.field,
    error: errors.map((e) => `${e.field}: ${e.message}`).join('；'),
  };
}

interface Prepared {
  key: string;
  publishedAt: Date;
  item: IngestItem;
}

/** Validates a batch item by item; bad items are reported, good ones prepared for storage. */
export function prepareBatch(
  body: unknown,
  now: Date,
  retentionDays: number,
): { prepared: Prepared[]; rejected: Rejected[]; withinBatchDuplicates: number } {
  const items = (body as { items?: unknown } | null)?.items;
  if (!body || typeof body !== 'object' || !Array.isArray(items))
    throw HttpProblem.badRequest('请求体须为 {"items": [...]}', [{ field: 'items', message: '须为数组' }]);
  if (items.length > MAX_BATCH_ITEMS)
    throw new HttpProblem(413, '批量过大', `每批最多 ${MAX_BATCH_ITEMS} 条，本批 ${items.length} 条`);
  const oldest = now.getTime() - retentionDays * 86400_000;
  const prepared: Prepared[] = [];
  const rejected: Rejected[] = [];
  const seen = new Set<string>();
  let withinBatchDuplicates = 0;
  items.forEach((raw, index) => {
    const r = check(itemSchema, raw);
    if (!r.ok) {
      rejected.push({ ...describe(r.errors), index });
      return;
    }
    const publishedAt = new Date(r.value.publishedAt);
    if (publishedAt.getTime() > now.getTime() + FUTURE_SKEW_MS) {
      rejected.push({ index, field: 'publishedAt', error: 'publishedAt: 发布时间晚于当前时间' });
      return;
    }
    if (publishedAt.getTime() < oldest) {
      rejected.push({
        index,
        field: 'publishedAt',
        error: `publishedAt: 早于保留期限（${retentionDays} 天）`,
      });
      return;
    }
    const key = itemKey(r.value, publishedAt);
    if (seen.has(key)) {
      withinBatchDuplicates++;
      return;
    }
    seen.add(key);
    prepared.push({ key, publishedAt, item: r.value });
  });
  return { prepared, rejected, withinBatchDuplicates };
}

/** An accepted item as the queue stores it, with its idempotency key (keys are the columns). */
interface QueueRow {
  key: string;
  published_at: Date;
  source: string;
  channel: string;
  external_id: string | null;
  url: string | null;
  title: string;
  content: string;
  author: string;
  metrics: Record<string, number> | null;
  is_repost: boolean | null;
}

/**
 * Stores new items with their idempotency keys in the queue, the durable inbox, in ONE statement
 * (so one transaction): once this returns, every accepted item survives a crash and will be
 * analysed. The pipeline stores each item in opinion_items once, analysed (migration 100).
 * Returns how many were new.
 */
export async function storeBatch(db: Db, prepared: Prepared[], now: Date): Promise<number> {
  if (prepared.length === 0) return 0;
  // The month partition the pipeline will store each item in exists before the item is accepted.
  await ensureItemPartitions(
    db,
    prepared.map((p) => p.publishedAt),
  );
  const rows = prepared.map(({ key, publishedAt, item }): QueueRow => ({
    key,
    published_at: publishedAt,
    source: item.source,
    channel: item.channel,
    external_id: item.externalId ?? null,
    url: item.url ?? null,
    title: item.title ?? '',
    content: item.content,
    author: item.author ?? '',
    metrics: item.metrics ?? null,
    is_repost: item.isRepost ?? null,
  }));
  const result = await sql<{ accepted: number }>`
    with input as (
      select * from json_to_recordset(${JSON.stringify(rows)}::json) as x(
        key uuid, published_at timestamptz, source text, channel text, external_id text, url text, title text,
        content text, author text, metrics jsonb, is_repost boolean)
    ), keys as (
      insert into opinion_item_keys (key, item_id, published_at)
      select key, nextval('opinion_items_id_seq'), published_at from input
      on conflict (key) do nothing
      returning key, item_id
    ), queued as (
      insert into opinion_queue (item_id, published_at, enqueued_at, received_at, source, channel, external_id,
        url, title, content, author, metrics, is_repost)
      select keys.item_id, i.published_at, ${now}, ${now}, i.source, i.channel, i.external_id, i.url, i.title,
        i.content, i.author, i.metrics, i.is_repost
      from input i join keys on keys.key = i.key
      order by keys.item_id
      returning item_id
    )
    select n as accepted, case when n > 0 then pg_notify(${QUEUE_CHANNEL}, n::text) end
    from (select count(*)::int as n from queued) q
  `.execute(db);
  return result.rows[0]?.accepted ?? 0;
}
