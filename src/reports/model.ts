import type { Config } from '../shared/config.js';
import { toIsoShanghai } from '../shared/time.js';

/** The locality the titles name: SITE_NAME without "人民政府" (示范区人民政府 → 示范区). */
export function localityName(config: Pick<Config, 'siteName'>): string {
  return config.siteName.replace(/人民政府$/, '') || config.siteName;
}

/** Every Date inside a JSON answer as ISO 8601 with +08:00 (SPEC §4). */
export function shanghaiJson(v: unknown): unknown {
  if (v instanceof Date) return toIsoShanghai(v);
  if (Array.isArray(v)) return v.map(shanghaiJson);
  if (v && typeof v === 'object' && !Buffer.isBuffer(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shanghaiJson(x)]));
  return v;
}
