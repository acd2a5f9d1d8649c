/**
 * A trend sparkline as inline SVG, generated on the server from numbers only (no user text), so
 * pages can embed it without scripts under the CSP.
 */
export function sparkline(values: readonly number[], width = 120, height = 28): string {
  const n = values.length;
  if (n === 0) return '';
  const max = Math.max(1, ...values);
  const step = n > 1 ? width / (n - 1) : width;
  const pts = values.map((v, i) => {
    const x = Math.round(i * step * 10) / 10;
    const y = Math.round((height - 2 - (v / max) * (height - 4)) * 10) / 10;
    return `${x},${y}`;
  });
  const last = pts[pts.length - 1]!.split(',');
  const total = values.reduce((a, b) => a + b, 0);
  return (
    `<svg class="sparkline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" ` +
    `aria-label="近${n}小时 ${total} 条">` +
    `<polyline fill="none" stroke="#a8151c" stroke-width="1.5" points="${pts.join(' ')}"/>` +
    `<circle cx="${last[0]}" cy="${last[1]}" r="2" fill="#a8151c"/></svg>`
  );
}
