import type { Role } from '../db/schema.js';

export type Principal =
  | {
      kind: 'user';
      id: number;
      username: string;
      displayName: string;
      departmentId: number;
      /** The kind of that department (新闻办 `publicity`, 政务公开办 `government_office`, …). */
      departmentKind?: string;
      roles: Role[];
    }
  | { kind: 'token'; id: number; name: string; scopes: TokenScope[] };

export const TOKEN_SCOPES = ['ingest', 'read'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
export const TOKEN_SCOPE_LABELS: Record<TokenScope, string> = {
  ingest: '舆情数据接入',
  read: '只读查询',
};

export function actorLabel(p: Principal | undefined): string {
  if (!p) return 'system';
  return p.kind === 'user' ? `user:${p.username}` : `token:${p.name}`;
}

export function actorUserId(p: Principal | undefined): number | null {
  return p?.kind === 'user' ? p.id : null;
}
