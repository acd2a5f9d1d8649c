import { z } from 'zod';
import { HttpProblem, type FieldError } from './errors.js';

export { z };

const TYPE_LABELS: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  bigint: '整数',
  boolean: '是或否',
  array: '列表',
  object: '对象',
  date: '日期',
};
const FORMAT_LABELS: Record<string, string> = {
  datetime: '带时区的 ISO 8601 时间',
  date: 'YYYY-MM-DD 日期',
  time: 'HH:MM 时间',
  email: '电子邮箱地址',
  url: '网址',
  uuid: 'UUID',
  regex: '规定的格式',
};
const zhFallback = z.locales.zhCN().localeError;

/**
 * Every zod message can reach a user (forms show them in flashes, the API in problem+json), so
 * they are plain Chinese without type names: schemas that set their own message keep it.
 */
function chineseError(issue: z.core.$ZodRawIssue): string | undefined {
  const i = issue as z.core.$ZodRawIssue & Record<string, unknown>;
  switch (issue.code) {
    case 'invalid_type':
      if (i.input === undefined || i.input === null) return '必须填写';
      return `应为${TYPE_LABELS[String(i.expected)] ?? '正确的类型'}`;
    case 'too_small': {
      const n = Number(i.minimum);
      if (i.origin === 'string') return n <= 1 ? '不能为空' : `至少 ${n} 个字符`;
      if (i.origin === 'array' || i.origin === 'set') return n <= 1 ? '至少选择一项' : `至少 ${n} 项`;
      return `不能小于 ${n}`;
    }
    case 'too_big': {
      const n = Number(i.maximum);
      if (i.origin === 'string') return `不能超过 ${n} 个字符`;
      if (i.origin === 'array' || i.origin === 'set') return `最多 ${n} 项`;
      return `不能大于 ${n}`;
    }
    case 'invalid_value':
      return '不是可选的值';
    case 'invalid_format':
      return `格式不对，应为${FORMAT_LABELS[String(i.format)] ?? '规定的格式'}`;
    case 'not_multiple_of':
      return `须为 ${String(i.divisor)} 的倍数`;
    case 'unrecognized_keys':
      return `不认识的字段：${(i.keys as string[]).join('、')}`;
    case 'invalid_union':
      return '格式不对';
    case 'invalid_key':
    case 'invalid_element':
      return '含有无效的项';
    default: {
      const fallback = zhFallback(issue);
      return typeof fallback === 'string' ? fallback : fallback?.message;
    }
  }
}
z.config({ localeError: chineseError });

function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
}

/** Chinese names of the form and API fields, for messages people read (the API keeps `field`). */
const FIELD_LABELS: Record<string, string> = {
  '(body)': '请求内容',
  active: '启用状态',
  address: '地址',
  afterMinutes: '分钟数',
  afterReview: '复议后起诉',
  amount: '时长',
  applicantName: '申请人姓名或名称',
  applicantType: '申请人类型',
  approvedBy: '批准人',
  area: '领域',
  author: '作者',
  category: '类别',
  channel: '渠道',
  contact: '联系方式',
  content: '内容',
  correctBy: '补正期限',
  date: '日期',
  days: '延长工作日数',
  decidedOn: '审结日期',
  department: '部门',
  departmentId: '部门',
  detectedAt: '发现时间',
  disclosureReason: '公开属性说明',
  displayName: '姓名',
  draftingDepartmentId: '起草部门',
  dutyDepartmentId: '责任单位',
  emergency: '突发事件',
  enabled: '启用',
  endedAt: '结束时间',
  escalation: '升级步骤',
  from: '起始日期',
  extension: '延长',
  extensionAmount: '延长时长',
  extensionUnit: '延长单位',
  externalId: '外部编号',
  filedOn: '立案日期',
  interpretationPlan: '解读方案',
  interpreter: '解读人',
  issuer: '发文机关',
  keyPoints: '要点',
  kind: '类型',
  label: '名称',
  level: '级别',
  name: '名称',
  normativeKind: '规范性文件类别',
  note: '说明',
  number: '申请编号',
  occurredAt: '发生时间',
  outcome: '处理结果',
  page: '页码',
  party: '征求意见对象',
  password: '密码',
  confirmPassword: '确认新密码',
  currentPassword: '当前密码',
  newPassword: '新密码',
  pausable: '可暂停',
  place: '地点',
  plannedAt: '计划时间',
  publishedAt: '发布时间',
  purpose: '用途',
  q: '关键词',
  reason: '理由',
  receivedAt: '收到申请时间',
  renotifyMinutes: '提醒间隔',
  repealedOn: '废止日期',
  repliedAt: '答复时间',
  requestedAt: '补正告知时间',
  requiresInterpretation: '是否需要解读',
  responsibleDepartmentId: '责任单位',
  result: '结果',
  roles: '角色',
  scopes: '权限范围',
  sentiment: '情感',
  severity: '等级',
  source: '来源',
  spokesperson: '发言人',
  spokespersonId: '发言人',
  startedAt: '开始时间',
  state: '状态',
  status: '状态',
  summary: '摘要',
  target: '升级对象',
  text: '正文',
  title: '标题',
  to: '截止日期',
  type: '类型',
  unit: '单位',
  url: '网址',
  userId: '人员',
  username: '用户名',
  warnings: '预警点',
  warnLastWorkingDay: '最后一个工作日预警',
  weight: '权重',
  window: '窗口',
  windowAmount: '窗口时长',
  windowUnit: '窗口单位',
  word: '词语',
  year: '年份',
};

/** "departmentId" → "部门", "items.3.title" → "第 4 项·标题"; unknown names are kept. */
export function fieldLabel(field: string): string {
  const parts = field.split('.');
  return parts.map((p) => (/^\d+$/.test(p) ? `第 ${Number(p) + 1} 项` : (FIELD_LABELS[p] ?? p))).join('·');
}

/**
 * Parses untrusted input with a zod schema; on failure throws a 400 problem that names each
 * offending field, so clients know exactly what to fix.
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what = '请求'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error);
  const names = [...new Set(errors.map((e) => fieldLabel(e.field)))].join('、');
  throw HttpProblem.badRequest(`${what}字段有误：${names}`, errors);
}

/** Returns per-item errors without throwing, for batch endpoints that reject items one by one. */
export function check<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { ok: true; value: z.output<S> } | { ok: false; errors: FieldError[] } {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrors(result.error) };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text PostgreSQL can store: NUL removed (text columns refuse it), unpaired UTF-16 surrogates
 * (valid in JSON, not in UTF-8) replaced by U+FFFD. Linear in the length of the string.
 */
export function cleanText(s: string): string {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what is removed
  return s.replace(/\u0000/g, '').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * Cleans every string (and key) of parsed input in place of the original, once, at the edge:
 * JSON and form bodies, query strings and multipart fields all pass through here, so no route
 * can hand PostgreSQL a NUL. Depth is bounded by the body parsers' own limits.
 */
export function cleanInput<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => cleanInput(v)) as T;
  if (value && typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out = (proto === null ? Object.create(null) : {}) as Record<string, unknown>;
    // defineProperty, not assignment: a "__proto__" key stays a plain key.
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, cleanText(k), {
        value: cleanInput(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out as T;
  }
  return value;
}

/** Middleware: cleans the parsed body; run after every body parser (multer included). */
export const cleanBody = (req: { body?: unknown }, _res: unknown, next: () => void): void => {
  if (req.body !== undefined) req.body = cleanInput(req.body);
  next();
};

/** Common field shapes. */
export const fields = {
  id: z.coerce.number().int().positive(),
  text: (max: number) =>
    z
      .string()
      .transform((s) => cleanText(s).normalize('NFC').trim())
      .pipe(z.string().min(1, '不能为空').max(max, `不能超过 ${max} 个字符`)),
  optionalText: (max: number) =>
    z
      .string()
      .transform((s) => cleanText(s).normalize('NFC').trim())
      .pipe(z.string().max(max, `不能超过 ${max} 个字符`))
      .optional(),
  isoDateTime: z.iso.datetime({ offset: true, message: '须为带时区的 ISO 8601 时间' }),
  /** A calendar date that really exists (2026-02-30 is refused). */
  isoDate: z.iso.date({ message: '须为存在的日期 YYYY-MM-DD' }),
};
