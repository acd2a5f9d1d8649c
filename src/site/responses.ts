import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { ActionKind } from '../events/tables.js';
import { ACTION_LABELS } from '../events/rules.js';
import { formatShanghai } from '../shared/time.js';

/** One public response as the 回应关切 column shows it. */
export interface PublicResponse {
  id: number;
  eventId: number;
  eventTitle: string;
  kind: ActionKind;
  kindLabel: string;
  planned: boolean;
  whenText: string;
  dateText: string;
  place: string;
  spokesperson: string;
  keyPoints: string;
  channel: string;
  url: string;
  text: string;
  policies: { id: number; title: string }[];
}

interface Row {
  id: number;
  event_id: number;
  event_title: string;
  kind: ActionKind;
  status: 'planned' | 'done';
  at: Date;
  place: string;
  spokesperson: string;
  key_points: string;
  channel: string;
  url: string;
  text: string;
  policy_ids: number[];
}

/** Only published, proactively disclosed documents may be linked from the public site. */
async function publicPolicies(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('policies')
    .select(['id', 'title'])
    .where('id', 'in', [...new Set(ids)])
    .where('status', '=', 'published')
    .where('disclosure', '=', 'proactive')
    .execute();
  return new Map(rows.map((r) => [r.id, r.title]));
}

async function view(db: Db, rows: Row[]): Promise<PublicResponse[]> {
  const titles = await publicPolicies(
    db,
    rows.flatMap((r) => r.policy_ids),
  );
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    eventTitle: r.event_title,
    kind: r.kind,
    kindLabel: ACTION_LABELS[r.kind],
    planned: r.status === 'planned',
    whenText: formatShanghai(r.at),
    dateText: formatShanghai(r.at, 'yyyy-MM-dd'),
    place: r.place,
    spokesperson: r.spokesperson,
    keyPoints: r.key_points,
    channel: r.channel,
    url: r.url,
    text: r.text,
    policies: r.policy_ids.filter((id) => titles.has(id)).map((id) => ({ id, title: titles.get(id)! })),
  }));
}

const base = (db: Db) =>
  db
    .selectFrom('event_actions as a')
    .innerJoin('opinion_events as e', 'e.id', 'a.event_id')
    .select([
      'a.id',
      'a.event_id',
      'e.title as event_title',
      'a.kind',
      'a.status',
      sql<Date>`coalesce(a.occurred_at, a.planned_at)`.as('at'),
      'a.place',
      'a.spokesperson',
      'a.key_points',
      'a.channel',
      'a.url',
      'a.text',
      'e.policy_ids',
    ])
    .where('a.public', '=', true);

/** The column, newest first. */
export async function listPublicResponses(
  db: Db,
  page: number,
  limit: number,
): Promise<{ rows: PublicResponse[]; total: number }> {
  const [rows, total] = await Promise.all([
    base(db)
      .orderBy(sql`coalesce(a.occurred_at, a.planned_at)`, 'desc')
      .orderBy('a.id', 'desc')
      .limit(limit)
      .offset((page - 1) * limit)
      .execute(),
    db
      .selectFrom('event_actions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('public', '=', true)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows: await view(db, rows as Row[]), total: Number(total.n) };
}

/** One matter's public responses, in the order they were issued; null when nothing is public. */
export async function publicResponsesOfEvent(db: Db, eventId: number) {
  const rows = (await base(db)
    .where('a.event_id', '=', eventId)
    .orderBy(sql`coalesce(a.occurred_at, a.planned_at)`, 'asc')
    .orderBy('a.id', 'asc')
    .execute()) as Row[];
  if (!rows.length) return null;
  const responses = await view(db, rows);
  return { title: rows[0]!.event_title, responses, policies: responses[0]!.policies };
}

/** The public responses about a document, newest first, for its page. */
export async function publicResponsesOfPolicy(db: Db, policyId: number): Promise<PublicResponse[]> {
  const rows = (await base(db)
    .where(sql<boolean>`e.policy_ids @> array[${policyId}]::int[]`)
    .orderBy(sql`coalesce(a.occurred_at, a.planned_at)`, 'desc')
    .orderBy('a.id', 'desc')
    .limit(50)
    .execute()) as Row[];
  return view(db, rows);
}
