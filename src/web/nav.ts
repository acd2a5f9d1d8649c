import type { Role } from '../db/schema.js';

interface NavItem {
  href: string;
  label: string;
  roles: Role[] | 'all';
}

/** Navigation per role: each user sees the pages of their work and nothing else. */
const ITEMS: NavItem[] = [
  { href: '/console', label: '值班台', roles: 'all' },
  { href: '/roster', label: '值班表', roles: ['duty', 'supervisor', 'analyst', 'admin'] },
  { href: '/workspace', label: '政策解读工作台', roles: ['drafter', 'admin'] },
  { href: '/review', label: '审核与督办', roles: ['supervisor', 'admin'] },
  { href: '/opinion', label: '舆情监测', roles: ['analyst', 'supervisor', 'duty', 'admin'] },
  { href: '/opinion/settings', label: '监测方案', roles: ['admin', 'analyst'] },
  { href: '/responses', label: '回应时钟', roles: ['spokesperson', 'supervisor', 'analyst', 'admin'] },
  { href: '/clocks', label: '全部时钟', roles: ['supervisor', 'admin', 'duty'] },
  {
    href: '/reports',
    label: '督查考核',
    roles: ['supervisor', 'admin', 'analyst', 'drafter', 'spokesperson'],
  },
  { href: '/disclosure', label: '依申请公开', roles: ['supervisor', 'admin', 'drafter', 'spokesperson'] },
  { href: '/policies', label: '政策文件', roles: 'all' },
  { href: '/admin/calendar', label: '工作日历', roles: ['admin'] },
  { href: '/admin/clock-policies', label: '时限配置', roles: ['admin'] },
  { href: '/admin/departments', label: '部门', roles: ['admin'] },
  { href: '/admin/users', label: '用户', roles: ['admin'] },
  { href: '/admin/tokens', label: 'API 令牌', roles: ['admin'] },
  { href: '/admin/audit', label: '审计日志', roles: ['admin', 'supervisor'] },
];

/** Only pages that exist are linked; later capabilities register theirs here. */
const available = new Set<string>();
export function registerPage(href: string): void {
  available.add(href);
}

/**
 * The user's items, with at most one lit: the longest href the path is in, so /opinion/settings
 * lights 监测方案 and not 舆情监测 as well.
 */
export function navFor(roles: Role[], currentPath: string) {
  const items = ITEMS.filter((i) => available.has(i.href)).filter(
    (i) => i.roles === 'all' || i.roles.some((r) => roles.includes(r)),
  );
  const within = (href: string) => currentPath === href || currentPath.startsWith(href + '/');
  const current = items
    .filter((i) => within(i.href))
    .reduce<string | null>((best, i) => (best && best.length >= i.href.length ? best : i.href), null);
  return items.map((i) => ({ ...i, active: i.href === current }));
}
