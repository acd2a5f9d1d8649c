import type { Core } from '../context.js';
import { sql } from 'kysely';

/** NOTIFY channel of migration 070: "version:epoch-ms" after every change to public content. */
export const PUBLIC_CONTENT_CHANNEL = 'public_content';

/**
 * What version of the public content this node serves. Every committed change to documents,
 * interpretations, attachments, departments or public responses bumps `public_content_seq` and
 * notifies every node (triggers of migration 070); the version names the ETags, keys the caches,
 * and drops them when it moves. Nodes share the sequence, so they agree on ETags.
 */
export class PublicContent {
  private current = '0';
  private modified = new Date(0);
  private readonly memos = new Map<string, { version: string; value: Promise<unknown> }>();
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly core: Core) {}

  /** Reads the current version: at start, and whenever notifications may have been missed. */
  async refresh(): Promise<void> {
    const { rows } = await sql<{ v: string; modified: Date | null }>`
      select (select last_value::text || case when is_called then '' else '-0' end from public_content_seq) as v,
        greatest(
          (select max(updated_at) from policies),
          (select max(created_at) from event_actions),
          (select max(created_at) from interpretations)
        ) as modified`.execute(this.core.db);
    const r = rows[0];
    this.set(r?.v ?? '0', r?.modified ?? new Date(0));
  }

  /** A NOTIFY payload "version:epoch-ms". */
  notified(payload: string): void {
    const [v, ms] = payload.split(':');
    if (!v) return;
    this.set(v, new Date(Number(ms) || Date.now()));
  }

  private set(version: string, modified: Date): void {
    if (version === this.current) return;
    this.current = version;
    // HTTP dates have whole seconds; round up so If-Modified-Since compares as it should.
    this.modified = new Date(Math.ceil(Math.max(modified.getTime(), this.modified.getTime()) / 1000) * 1000);
    this.memos.clear();
    for (const l of this.listeners) l();
  }

  get version(): string {
    return this.current;
  }

  get lastModified(): Date {
    return this.modified;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /**
   * A value derived from public content (e.g. the filter lists), computed once per version. A
   * failed computation is not kept.
   */
  memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.memos.get(key);
    if (hit && hit.version === this.current) return hit.value as Promise<T>;
    const version = this.current;
    const value = load();
    this.memos.set(key, { version, value });
    value.catch(() => {
      if (this.memos.get(key)?.value === value) this.memos.delete(key);
    });
    return value;
  }
}
