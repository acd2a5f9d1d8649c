import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express, RequestHandler } from 'express';
import { engine } from 'express-handlebars';
import { formatDeadline, formatDuration, formatShanghai, toIsoShanghai } from '../shared/time.js';
import { navFor } from './nav.js';
import type { Clock } from '../shared/clock.js';
import { ROLE_LABELS } from '../accounts/service.js';

export const VIEWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');
export const PUBLIC_DIR = path.resolve(VIEWS_DIR, '../public');

/**
 * Handlebars resolves a bare `{{name}}` to a helper before the field of that name: a template
 * field called `date` or `json` used to run the helper with no argument ("Invalid DateTime", a
 * dump of the whole render context). Every helper here takes at least one argument, so a call
 * without one is a field lookup: it yields the current context's field and a field can never be
 * shadowed, whatever helpers are added later.
 */
function fieldsFirst<T extends Record<string, (...args: never[]) => unknown>>(defs: T): T {
  const out: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [name, fn] of Object.entries(defs))
    out[name] = function (this: unknown, ...args: unknown[]) {
      // Handlebars always appends its options object: one argument means none was written.
      if (args.length <= 1) {
        const v =
          this !== null && typeof this === 'object' ? (this as Record<string, unknown>)[name] : undefined;
        return v ?? '';
      }
      return (fn as (...a: unknown[]) => unknown).apply(this, args);
    };
  return out as unknown as T;
}

export const helpers = fieldsFirst({
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  not: (a: unknown) => !a,
  includes: (list: unknown, v: unknown) => Array.isArray(list) && list.includes(v),
  time: (d: Date | string | null | undefined) => formatShanghai(d),
  date: (d: Date | string | null | undefined) => formatShanghai(d, 'yyyy-MM-dd'),
  /** A deadline: one ending at midnight reads as 24:00 of its last day (「11月25日 24:00」). */
  deadline: (d: Date | string | null | undefined) => formatDeadline(d),
  /** A span of seconds in days, hours and minutes (「17 天 1 小时」). */
  duration: (s: number | null | undefined) => (s == null ? '' : formatDuration(s)),
  iso: (d: Date | string | null | undefined) =>
    d ? toIsoShanghai(typeof d === 'string' ? new Date(d) : d) : '',
  json: (v: unknown) => JSON.stringify(v ?? null).replace(/</g, '\\u003c'),
  add: (a: number, b: number) => a + b,
});

export function setupViews(app: Express): void {
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'main',
      layoutsDir: path.join(VIEWS_DIR, 'layouts'),
      partialsDir: path.join(VIEWS_DIR, 'partials'),
      helpers,
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', VIEWS_DIR);
}

/**
 * Puts the signed-in user, navigation, CSRF token and flash message in every page's locals, and the
 * server's time (`serverNow`), against which countdowns correct the browser's clock (tests pin it).
 */
export const pageLocals =
  (clock: Clock): RequestHandler =>
  (req, res, next) => {
    res.locals.serverNow = toIsoShanghai(clock.now());
    const p = req.principal;
    if (p?.kind === 'user') {
      res.locals.me = {
        ...p,
        roleLabels: p.roles.map((r) => ROLE_LABELS[r]).join('、'),
      };
      res.locals.nav = navFor(p.roles, req.path);
    }
    // Anonymous visitors get no token: generating one would create a session row per visit.
    res.locals.csrfToken = req.session?.userId && req.csrfToken ? req.csrfToken() : '';
    if (req.session?.flash) {
      res.locals.flash = req.session.flash;
      delete req.session.flash;
    }
    next();
  };
