import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  ADMIN_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,64}$/, 'ADMIN_USERNAME: 3–64 letters, digits, _ . -')
    .default('admin'),
  ADMIN_PASSWORD: z.string().min(8, 'ADMIN_PASSWORD must have at least 8 characters').optional(),
  SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must have at least 32 characters').optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  OPINION_RETENTION_DAYS: z.coerce.number().int().min(7).max(3650).default(365),
  DAILY_REPORT_CRON: z
    .string()
    .regex(/^\S+( \S+){4,5}$/, 'DAILY_REPORT_CRON: a cron expression of 5 (or 6, with seconds) fields')
    .default('0 7 * * *'),
  WEEKLY_REPORT_CRON: z
    .string()
    .regex(/^\S+( \S+){4,5}$/, 'WEEKLY_REPORT_CRON: a cron expression of 5 (or 6, with seconds) fields')
    .default('30 7 * * 1'),
  SITE_NAME: z
    .string()
    .trim()
    .min(2, 'SITE_NAME must have at least 2 characters')
    .max(40, 'SITE_NAME must have at most 40 characters')
    .default('示范区人民政府'),
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^https?:\/\/[^/\s]+$/,
            'ALLOWED_ORIGINS: comma-separated origins like https://gov.example.cn',
          )
          .transform((o) => o.toLowerCase()),
      ),
    ),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(6).max(128).default(8),
  PASSWORD_MIN_CLASSES: z.coerce.number().int().min(1).max(4).default(2),
  // `npm start` (src/main.ts) sets production when unset; tests run as 'test', `npm run dev` as development.
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  PUBLIC_CACHE_SECONDS: z.coerce.number().int().min(0).max(86400).default(60),
  PUBLIC_CACHE_ENTRIES: z.coerce.number().int().min(0).max(100000).default(2000),
  PUBLIC_RENDER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  OPINION_ANALYSIS_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  OPINION_PROFILE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  PUBLIC_LANE_MS: z.coerce.number().min(0).max(100).default(2),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  adminUsername: string;
  adminPassword: string | undefined;
  sessionSecret: string;
  logLevel: (typeof LOG_LEVELS)[number];
  cookieSecure: boolean;
  trustProxy: boolean;
  embeddedPgPort: number;
  loginRateLimit: number;
  sweepIntervalSeconds: number;
  /** Opinion items older than this (by publication time) are dropped, partition by partition. */
  opinionRetentionDays: number;
  /** The government the public site belongs to ("青山区人民政府"), named in its header and footer. */
  siteName: string;
  /**
   * Browser origins besides the platform's own (the request's Host) that may open sockets and
   * sign in, e.g. when pages are served under another name by a reverse proxy.
   */
  allowedOrigins: string[];
  passwordPolicy: { minLength: number; minClasses: number };
  /** production: compiled templates are cached (express's view cache). */
  nodeEnv: 'production' | 'development' | 'test';
  /** max-age of the public website's pages (Cache-Control), seconds. */
  publicCacheSeconds: number;
  /** Rendered public pages kept in memory per node (0: none). */
  publicCacheEntries: number;
  /** Public pages rendered at once; the rest wait, so staff requests keep database connections. */
  publicRenderConcurrency: number;
  /** Worker threads analysing opinion items on the pipeline leader (0: on the event loop). */
  opinionAnalysisThreads: number;
  /** The opinion pipeline times its stages (bench:ingest prints them). */
  opinionProfile: boolean;
  /** Milliseconds of cached public answers per event-loop turn before staff work gets its turn (0: no limit). */
  publicLaneMs: number;
  /** When the 舆情日报 of the previous day is generated and archived (cron, Asia/Shanghai). */
  dailyReportCron: string;
  /** When the 舆情周报 of the previous week is generated and archived (cron, Asia/Shanghai). */
  weeklyReportCron: string;
}

export class ConfigError extends Error {}

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    adminUsername: e.ADMIN_USERNAME,
    adminPassword: e.ADMIN_PASSWORD,
    sessionSecret: e.SESSION_SECRET ?? persistentSecret(dataDir),
    logLevel: e.LOG_LEVEL,
    cookieSecure: e.COOKIE_SECURE,
    trustProxy: e.TRUST_PROXY,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    sweepIntervalSeconds: e.SWEEP_INTERVAL_SECONDS,
    opinionRetentionDays: e.OPINION_RETENTION_DAYS,
    siteName: e.SITE_NAME,
    allowedOrigins: e.ALLOWED_ORIGINS,
    passwordPolicy: { minLength: e.PASSWORD_MIN_LENGTH, minClasses: e.PASSWORD_MIN_CLASSES },
    nodeEnv: e.NODE_ENV,
    publicCacheSeconds: e.PUBLIC_CACHE_SECONDS,
    publicCacheEntries: e.PUBLIC_CACHE_ENTRIES,
    publicRenderConcurrency: e.PUBLIC_RENDER_CONCURRENCY,
    // One core stays with the event loop, which folds items into clusters and serves requests.
    opinionAnalysisThreads: e.OPINION_ANALYSIS_THREADS ?? Math.max(1, os.availableParallelism() - 1),
    opinionProfile: e.OPINION_PROFILE,
    publicLaneMs: e.PUBLIC_LANE_MS,
    dailyReportCron: e.DAILY_REPORT_CRON,
    weeklyReportCron: e.WEEKLY_REPORT_CRON,
  };
}

/** A secret generated on first start and kept in DATA_DIR so sessions survive restarts. */
function persistentSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value.length >= 32) return value;
  }
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(48).toString('base64url');
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}
