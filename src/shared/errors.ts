import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from './logger.js';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * The one error type the HTTP layer understands. Everything thrown by a route is either this or
 * an unexpected bug (mapped to a 500 without leaking details).
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(detail ?? title);
  }

  static badRequest(detail: string, errors?: FieldError[]) {
    return new HttpProblem(400, '请求无效', detail, errors ? { errors } : {});
  }
  static unauthorized(detail = '请先登录') {
    return new HttpProblem(401, '未认证', detail);
  }
  static forbidden(detail = '无权执行此操作') {
    return new HttpProblem(403, '禁止访问', detail);
  }
  static notFound(detail = '资源不存在') {
    return new HttpProblem(404, '未找到', detail);
  }
  static conflict(detail: string) {
    return new HttpProblem(409, '冲突', detail);
  }
  static unprocessable(detail: string, errors?: FieldError[]) {
    return new HttpProblem(422, '无法处理', detail, errors ? { errors } : {});
  }
}

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [key: string]: unknown;
}

function problemType(status: number): string {
  return `about:blank#${status}`;
}

export function toProblem(err: unknown, instance?: string): ProblemBody {
  if (err instanceof HttpProblem) {
    return {
      type: problemType(err.status),
      title: err.title,
      status: err.status,
      ...(err.detail ? { detail: err.detail } : {}),
      ...(instance ? { instance } : {}),
      ...err.extra,
    };
  }
  const e = err as { type?: string; status?: number; statusCode?: number; expose?: boolean };
  // body-parser and friends raise http-errors with a status; map the common ones in Chinese.
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const known: Record<string, [string, string]> = {
      'entity.parse.failed': ['请求无效', '请求体不是合法的 JSON'],
      'entity.too.large': ['请求体过大', '请求体超过允许的大小'],
      'encoding.unsupported': ['请求无效', '不支持的请求编码'],
      'charset.unsupported': ['请求无效', '不支持的字符集，请使用 UTF-8'],
      'request.aborted': ['请求无效', '请求被中断'],
      'request.size.invalid': ['请求无效', '请求体长度与声明不符'],
    };
    const [title, detail] = known[e.type ?? ''] ?? ['请求无效', '请求无法处理'];
    return { type: problemType(status), title, status, detail, ...(instance ? { instance } : {}) };
  }
  return {
    type: problemType(500),
    title: '服务器内部错误',
    status: 500,
    detail: '服务器处理请求时出错，请稍后重试',
    ...(instance ? { instance } : {}),
  };
}

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const body = toProblem(err, req.originalUrl);
    if (body.status >= 500) logger.error({ err, reqId: req.id }, 'unhandled error');
    else logger.debug({ status: body.status, detail: body.detail }, 'request refused');
    if (res.headersSent) return;
    const wantsHtml =
      !req.originalUrl.startsWith('/api') && req.accepts(['html', 'json']) === 'html' && req.method === 'GET';
    if (wantsHtml) {
      // A page refused for its query (a bad filter) offers the same page without one.
      const retryHref = body.status === 400 && req.originalUrl.includes('?') ? req.path : undefined;
      res.status(body.status).render('error', { problem: body, title: body.title, retryHref });
      return;
    }
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(HttpProblem.notFound(`没有这个页面或接口：${req.path}`));
};
