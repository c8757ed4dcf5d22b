// The product's logger. Names, ID numbers, images and credentials must never reach a log line,
// so three layers keep them out:
//  1. the HTTP layer logs only what it chooses (method, route pattern, status, code, timing),
//     never bodies, query strings or headers;
//  2. pino redaction removes well-known fields wherever a caller passes them by mistake;
//  3. error messages are scrubbed, because parsers quote the input they choke on
//     (`Unexpected token … "张三…" is not valid JSON`).
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

const SENSITIVE_KEYS = [
  'name', 'idCard', 'idNumber', 'id_number', 'image', 'address', 'birthday', 'authorization', 'Authorization',
  'appCode', 'appcode', 'appSecret', 'password', 'secret', 'token', 'cookie', 'body', 'ocr', 'cert', 'detail',
];

const REDACT_PATHS = [
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-ca-signature"]',
  'req.body',
  'req.query',
  'res.headers["set-cookie"]',
];

/** Removes what may identify a person or carry a secret from free text such as error messages. */
export function scrub(text: string): string {
  return text
    // runs of CJK characters (names, addresses)
    .replace(/[\u3400-\u9fff\uf900-\ufaff·]+/g, '[cjk]')
    // ID numbers, 15 or 18 characters, and any long digit run
    .replace(/\d{6,}[\dXx]?/g, '[digits]')
    // base64 / hex blobs (images, keys, AppCodes)
    .replace(/[A-Za-z0-9+/=_-]{16,}/g, (m) => (/^[A-Za-z]+$/.test(m) ? m : '[blob]'))
    // after an "APPCODE" word whatever follows
    .replace(/(appcode\s+)\S+/gi, '$1[redacted]');
}

function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: scrub(String(err)) };
  const e = err as Error & { code?: unknown; statusCode?: unknown };
  return {
    type: e.name,
    message: scrub(e.message),
    code: typeof e.code === 'string' ? e.code : undefined,
    statusCode: typeof e.statusCode === 'number' ? e.statusCode : undefined,
    // frames ("    at …") carry code locations only; the lines before them repeat the message
    stack: e.stack?.split('\n').map((line) => (/^\s+at /.test(line) ? line : scrub(line))).join('\n'),
  };
}

export interface LoggerOptions {
  level?: string;
  /** where lines go; stdout when absent (tests pass a stream to read them back) */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'shiming' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
