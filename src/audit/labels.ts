/**
 * Chinese names of audit actions and subject kinds: the audit log is read by supervisors and
 * auditors, who should never meet `policy.submit` or `user:gongkai`.
 */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'accountability.record': '记录问责决定',
  'alert.ack': '确认预警',
  'calendar.day': '调整工作日',
  'calendar.import': '导入节假日安排',
  'clock.pause': '暂停时钟',
  'clock.resume': '恢复时钟',
  'clock.extend': '延长时限',
  'clockpolicy.save': '修改时限配置',
  'department.create': '添加部门',
  'department.update': '修改部门',
  'event.record': '登记舆情事件',
  'event.triage': '研判定级',
  'event.action': '登记回应措施',
  'event.plan_press_conference': '计划新闻发布会',
  'event.press_conference_held': '新闻发布会已召开',
  'event.close': '办结事件',
  'event.dismiss': '排除事件',
  'opinion.lexicon.set': '调整词库',
  'opinion.lexicon.delete': '撤销词库调整',
  'opinion.rules.set': '修改预警规则',
  'opinion.scheme.create': '新建监测方案',
  'opinion.scheme.update': '修改监测方案',
  'opinion.scheme.delete': '删除监测方案',
  'opinion.terms.add': '添加本地词语',
  'opinion.terms.delete': '删除本地词语',
  'policy.create': '登记政策文件',
  'policy.import': '导入政策文件',
  'policy.update': '修改政策文件',
  'policy.submit': '提交审核',
  'policy.approve': '审核通过',
  'policy.return': '退回修改',
  'policy.publish': '发布政策文件',
  'policy.withdraw': '撤回政策文件',
  'policy.interpret': '添加解读',
  'policy.interpretation.update': '修改解读',
  'policy.interpretation.delete': '删除解读',
  'policy.attach': '上传附件',
  'policy.attachment.delete': '删除附件',
  'roster.add': '排班',
  'roster.remove': '取消排班',
  'supervision.urge': '督办催办',
  'token.create': '创建接口令牌',
  'token.revoke': '吊销接口令牌',
  'user.create': '添加用户',
  'user.update': '修改用户',
  'user.update+password': '修改用户（含密码）',
  'user.ensure_admin': '创建初始管理员',
  'user.admin_reset': '恢复管理员账号',
  'auth.login': '登录成功',
  'auth.login_failed': '登录失败',
  'auth.lockout': '登录锁定',
  'auth.logout': '退出登录',
};

/** The business area an action belongs to, named by the prefix before the first dot. */
const AREA_LABELS: Record<string, string> = {
  accountability: '问责',
  alert: '预警',
  calendar: '工作日历',
  clock: '时钟',
  clockpolicy: '时限配置',
  auth: '登录',
  department: '部门',
  event: '舆情事件',
  opinion: '舆情监测',
  policy: '政策文件',
  roster: '值班表',
  supervision: '督办',
  token: '接口令牌',
  user: '用户',
};

export const SUBJECT_KIND_LABELS: Record<string, string> = {
  alert: '预警',
  api_token: '接口令牌',
  attachment: '附件',
  calendar: '工作日历',
  calendar_day: '工作日历',
  calendar_year: '工作日历',
  clock: '时钟',
  clock_policy: '时限配置',
  department: '部门',
  duty_roster: '值班表',
  event: '舆情事件',
  interpretation: '解读',
  opinion_lexicon: '词库调整',
  opinion_local_terms: '本地词语',
  opinion_rules: '预警规则',
  opinion_scheme: '监测方案',
  policy: '政策文件',
  roster: '值班表',
  user: '用户',
};

/** Actions added later without a label still read in Chinese: "政策文件·其他操作". */
export function auditActionLabel(action: string): string {
  const known = AUDIT_ACTION_LABELS[action];
  if (known) return known;
  const area = AREA_LABELS[action.split('.')[0] ?? ''];
  return area ? `${area}·其他操作` : '其他操作';
}

export function subjectKindLabel(kind: string): string {
  return SUBJECT_KIND_LABELS[kind] ?? '其他对象';
}

/** "user:gongkai" / "token:微博采集" / "system" as people read them. */
export function actorDisplay(label: string, userName: string | null, departmentName: string | null): string {
  if (userName) return departmentName ? `${userName}（${departmentName}）` : userName;
  if (label.startsWith('token:')) return `接口令牌“${label.slice(6)}”`;
  if (label === 'system') return '系统';
  if (label === 'anonymous') return '未登录访客';
  if (label.startsWith('user:')) return `用户 ${label.slice(5)}`;
  return label;
}
