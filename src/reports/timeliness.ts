/** Pure aggregation of clock outcomes into the timeliness figures supervisors review (问责, seed 001 §十三). */

export interface ClockOutcome {
  departmentId: number | null;
  kind: string;
  state: 'running' | 'met' | 'met_late' | 'breached' | 'cancelled';
  latenessSeconds: number | null;
}

export interface TimelinessRow {
  departmentId: number | null;
  kind: string;
  total: number;
  met: number;
  metLate: number;
  breached: number;
  running: number;
  /** Met on time among the clocks that are decided (met, met late, breached); null when none is. */
  onTimeRate: number | null;
  /** Mean lateness of the clocks met late, in minutes. */
  averageLatenessMinutes: number | null;
}

function empty(departmentId: number | null, kind: string): TimelinessRow {
  return {
    departmentId,
    kind,
    total: 0,
    met: 0,
    metLate: 0,
    breached: 0,
    running: 0,
    onTimeRate: null,
    averageLatenessMinutes: null,
  };
}

function finish(r: TimelinessRow, lateness: number[]): TimelinessRow {
  const decided = r.met + r.metLate + r.breached;
  return {
    ...r,
    onTimeRate: decided ? Math.round((r.met / decided) * 1000) / 1000 : null,
    averageLatenessMinutes: lateness.length
      ? Math.round(lateness.reduce((a, b) => a + b, 0) / lateness.length / 60)
      : null,
  };
}

/** Per department and kind, plus one total row per kind (departmentId null, kind as given). */
export function summarizeTimeliness(outcomes: ClockOutcome[]): {
  rows: TimelinessRow[];
  totals: TimelinessRow[];
} {
  const groups = new Map<string, { row: TimelinessRow; lateness: number[] }>();
  const totals = new Map<string, { row: TimelinessRow; lateness: number[] }>();
  const bump = (map: typeof groups, key: string, dept: number | null, o: ClockOutcome) => {
    let g = map.get(key);
    if (!g) map.set(key, (g = { row: empty(dept, o.kind), lateness: [] }));
    g.row.total++;
    if (o.state === 'met') g.row.met++;
    else if (o.state === 'met_late') {
      g.row.metLate++;
      if (o.latenessSeconds) g.lateness.push(o.latenessSeconds);
    } else if (o.state === 'breached') g.row.breached++;
    else if (o.state === 'running') g.row.running++;
  };
  for (const o of outcomes) {
    if (o.state === 'cancelled') continue;
    bump(groups, `${o.departmentId ?? ''}|${o.kind}`, o.departmentId, o);
    bump(totals, o.kind, null, o);
  }
  const sort = (a: TimelinessRow, b: TimelinessRow) =>
    (a.departmentId ?? 0) - (b.departmentId ?? 0) || a.kind.localeCompare(b.kind);
  return {
    rows: [...groups.values()].map((g) => finish(g.row, g.lateness)).sort(sort),
    totals: [...totals.values()].map((g) => finish(g.row, g.lateness)).sort(sort),
  };
}
