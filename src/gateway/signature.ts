// The cloud gateway's AppKey + AppSecret signature (see /work/shared/spec/gateway.md §2):
//
//   HTTPMethod \n Accept \n Content-MD5 \n Content-Type \n Date \n
//   (name:value \n for each signed header, sorted by name) PathAndParameters
//
// PathAndParameters is the path, then "?" and the query and form parameters sorted by key,
// `key=value` (decoded values) or just `key` when the value is empty, joined with "&".
import crypto from 'node:crypto';
import querystring from 'node:querystring';

export type SignatureMethod = 'HmacSHA256' | 'HmacSHA1';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export function isFormContentType(contentType: string | undefined): boolean {
  return !!contentType && contentType.trimStart().toLowerCase().startsWith(FORM_CONTENT_TYPE);
}

/** Parameters as the official clients see them: decoded; a repeated key's values joined by ','. */
export type Parameters = Map<string, string>;

export function parseParameters(encoded: string, into: Parameters = new Map()): Parameters {
  if (!encoded) return into;
  const parsed = querystring.parse(encoded);
  for (const key of Object.keys(parsed)) {
    const v = parsed[key];
    into.set(key, Array.isArray(v) ? v.join(',') : (v ?? ''));
  }
  return into;
}

export interface SignableRequest {
  method: string;
  /** header lookup by lower-case name */
  header(name: string): string | undefined;
  /** the path as sent, without the query string */
  path: string;
  /** query parameters, then form parameters (a form value overrides a query value) */
  parameters: Parameters;
}

/** Names listed in X-Ca-Signature-Headers, as listed, sorted; the two signature headers dropped. */
export function signedHeaderNames(list: string | undefined): string[] {
  if (!list) return [];
  const names = list.split(',').map((s) => s.trim()).filter((s) => {
    if (!s) return false;
    const lower = s.toLowerCase();
    return lower !== 'x-ca-signature' && lower !== 'x-ca-signature-headers';
  });
  return [...new Set(names)].sort();
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function pathAndParameters(path: string, parameters: Parameters): string {
  if (parameters.size === 0) return path;
  const keys = [...parameters.keys()].sort(byCodeUnit);
  return path + '?' + keys.map((k) => {
    const v = parameters.get(k) ?? '';
    return v === '' ? k : `${k}=${v}`;
  }).join('&');
}

export function buildStringToSign(req: SignableRequest, headerNames: string[]): string {
  const h = (name: string) => req.header(name) ?? '';
  let s = `${req.method.toUpperCase()}\n${h('accept')}\n${h('content-md5')}\n${h('content-type')}\n${h('date')}\n`;
  for (const name of headerNames) s += `${name}:${req.header(name.toLowerCase()) ?? ''}\n`;
  return s + pathAndParameters(req.path, req.parameters);
}

export function parseSignatureMethod(value: string | undefined): SignatureMethod | undefined {
  if (value === undefined || value === '') return 'HmacSHA256';
  if (value === 'HmacSHA256' || value === 'HmacSHA1') return value;
  return undefined;
}

export function sign(secret: Buffer | string, stringToSign: string, method: SignatureMethod = 'HmacSHA256'): string {
  return crypto.createHmac(method === 'HmacSHA1' ? 'sha1' : 'sha256', secret).update(stringToSign, 'utf8').digest('base64');
}

/** Constant-time comparison of two base64 signatures. */
export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export function contentMd5(body: Buffer | string): string {
  return crypto.createHash('md5').update(body).digest('base64');
}

/** The string-to-sign as the refusal shows it: each "\n" written as "#". */
export function showStringToSign(stringToSign: string): string {
  return stringToSign.replace(/\n/g, '#');
}

export const TIMESTAMP_WINDOW_MS = 15 * 60_000;
