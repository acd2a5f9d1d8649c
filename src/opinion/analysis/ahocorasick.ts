/**
 * Aho–Corasick automaton: finds every occurrence of every lexicon term in one pass over the text,
 * so classifying an item costs O(text length) however large the lexicons grow.
 */
export interface Match {
  /** Index of the term in the list the automaton was built from. */
  term: number;
  start: number;
  end: number;
}

interface Node {
  next: Map<number, number>;
  fail: number;
  /** Terms ending here, including those reached through fail links (precomputed). */
  out: number[];
}

export class AhoCorasick {
  private readonly nodes: Node[] = [{ next: new Map(), fail: 0, out: [] }];
  private readonly lengths: number[];

  constructor(terms: readonly string[]) {
    this.lengths = terms.map((t) => t.length);
    terms.forEach((term, id) => {
      if (!term) return;
      let s = 0;
      for (let i = 0; i < term.length; i++) {
        const c = term.charCodeAt(i);
        let n = this.nodes[s]!.next.get(c);
        if (n === undefined) {
          n = this.nodes.length;
          this.nodes.push({ next: new Map(), fail: 0, out: [] });
          this.nodes[s]!.next.set(c, n);
        }
        s = n;
      }
      this.nodes[s]!.out.push(id);
    });
    // Breadth-first fail links; each node's outputs absorb its fail target's.
    const queue: number[] = [...this.nodes[0]!.next.values()];
    for (let qi = 0; qi < queue.length; qi++) {
      const r = queue[qi]!;
      for (const [c, u] of this.nodes[r]!.next) {
        queue.push(u);
        let f = this.nodes[r]!.fail;
        while (f !== 0 && !this.nodes[f]!.next.has(c)) f = this.nodes[f]!.fail;
        const target = this.nodes[f]!.next.get(c);
        this.nodes[u]!.fail = target !== undefined && target !== u ? target : 0;
        const inherited = this.nodes[this.nodes[u]!.fail]!.out;
        if (inherited.length) this.nodes[u]!.out = [...this.nodes[u]!.out, ...inherited];
      }
    }
  }

  /** Every (possibly overlapping) occurrence, ordered by end position. */
  findAll(text: string): Match[] {
    const found: Match[] = [];
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let n = this.nodes[s]!.next.get(c);
      while (n === undefined && s !== 0) {
        s = this.nodes[s]!.fail;
        n = this.nodes[s]!.next.get(c);
      }
      s = n ?? 0;
      const out = this.nodes[s]!.out;
      for (let k = 0; k < out.length; k++) {
        const term = out[k]!;
        found.push({ term, start: i + 1 - this.lengths[term]!, end: i + 1 });
      }
    }
    return found;
  }
}

/**
 * Keeps the leftmost-longest non-overlapping matches: "不满意" beats "满意", so a word inside a
 * longer lexicon word is not counted twice.
 */
export function leftmostLongest<M extends { start: number; end: number }>(matches: readonly M[]): M[] {
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: M[] = [];
  let reach = -1;
  for (const m of sorted) {
    if (m.start < reach) continue;
    kept.push(m);
    reach = m.end;
  }
  return kept;
}
