import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { normalize } from '../text/normalize.js';
import { AhoCorasick } from './analysis/ahocorasick.js';

/**
 * Links events to published policy documents they concern: by shared keywords (jieba TF-IDF on
 * both sides) or by an item naming the document (its title or 文号).
 */
export interface PublishedPolicy {
  id: number;
  title: string;
  departmentId: number;
  keywords: string[];
}

export class PolicyMatcher {
  private policies: PublishedPolicy[] = [];
  private names: AhoCorasick | null = null;
  private nameOwner: number[] = [];
  private loadedAt = 0;
  private tableExists: boolean | null = null;

  constructor(private readonly refreshMs = 60_000) {}

  async refresh(db: Db, now: number, force = false): Promise<void> {
    if (!force && now - this.loadedAt < this.refreshMs) return;
    this.loadedAt = now;
    if (this.tableExists !== true) {
      const r = await sql<{ ok: boolean }>`select to_regclass('public.policies') is not null as ok`.execute(
        db,
      );
      this.tableExists = r.rows[0]?.ok ?? false;
      if (!this.tableExists) return;
    }
    const rows = await sql<{
      id: number;
      title: string;
      drafting_department_id: number;
      keywords: string[] | null;
      doc_number: string | null;
    }>`select id, title, drafting_department_id, keywords, doc_number from policies where status = 'published'`.execute(
      db,
    );
    this.policies = rows.rows.map((r) => ({
      id: r.id,
      title: r.title,
      departmentId: r.drafting_department_id,
      keywords: (r.keywords ?? []).map((k) => k.toLowerCase()),
    }));
    const names: string[] = [];
    this.nameOwner = [];
    for (const r of rows.rows) {
      for (const n of [r.title, r.doc_number ?? '']) {
        const norm = normalize(n).replace(/^《|》$/g, '');
        if (norm.length >= 6) {
          names.push(norm);
          this.nameOwner.push(r.id);
        }
      }
    }
    this.names = names.length ? new AhoCorasick(names) : null;
  }

  get size(): number {
    return this.policies.length;
  }

  byId(id: number): PublishedPolicy | undefined {
    return this.policies.find((p) => p.id === id);
  }

  /** Policies an item names explicitly (title or 文号 in its normalised text). */
  named(text: string): number[] {
    if (!this.names) return [];
    return [...new Set(this.names.findAll(text).map((m) => this.nameOwner[m.term]!))];
  }

  /** Policies sharing at least `min` keywords with the event's terms. */
  byKeywords(terms: readonly string[], min = 2): number[] {
    const set = new Set(terms);
    return this.policies
      .filter((p) => p.keywords.filter((k) => set.has(k)).length >= Math.min(min, p.keywords.length || min))
      .map((p) => p.id);
  }
}
