// The gateway's refusals, made in one place: the cloud gateway's HTTP status and
// X-Ca-Error-Message (clients compare both), and our own stable X-Ca-Error-Code.
export const GATEWAY_ERRORS = {
  InvalidAppKey: { status: 400, message: 'Invalid AppKey' },
  InvalidAppCode: { status: 400, message: 'Invalid AppCode `not exists`' },
  EmptySignature: { status: 401, message: 'Empty Signature' },
  InvalidSignature: { status: 400, message: 'Invalid Signature' },
  InvalidSignatureMethod: { status: 400, message: 'Invalid Signature Method' },
  InvalidContentMD5: { status: 400, message: 'Invalid Content-MD5' },
  InvalidTimestamp: { status: 400, message: 'Invalid Timestamp' },
  TimestampExpired: { status: 400, message: 'Timestamp Expired' },
  NonceUsed: { status: 400, message: 'Nonce Used' },
  Unauthorized: { status: 403, message: 'Unauthorized' },
  ThrottledByApp: { status: 403, message: 'Throttled by APP Flow Control' },
  ThrottledByUser: { status: 403, message: 'Throttled by USER Flow Control' },
  ThrottledByApi: { status: 403, message: 'Throttled by API Flow Control' },
  QuotaExhausted: { status: 403, message: 'Quota Exhausted' },
  QuotaExpired: { status: 403, message: 'Quota Expired' },
  InvalidUrl: { status: 400, message: 'Invalid Url' },
  RequestBodyTooLarge: { status: 413, message: 'Request Body Too Large' },
  // Ours, beyond the cloud's table: an Idempotency-Key reused for a different request, or
  // retried while its first request is still running; the gateway's store failing.
  IdempotencyKeyReused: { status: 422, message: 'Idempotency Key Reused' },
  RequestInProgress: { status: 409, message: 'Request In Progress' },
  ServiceUnavailable: { status: 503, message: 'Service Unavailable' },
} as const satisfies Record<string, { status: number; message: string }>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export class GatewayRefusal extends Error {
  readonly status: number;
  /** the X-Ca-Error-Message text (unescaped) */
  readonly errorMessage: string;
  constructor(readonly code: GatewayErrorCode, detail?: string) {
    const e = GATEWAY_ERRORS[code];
    const text = code === 'InvalidSignature' && detail !== undefined ? `Invalid Signature, Server StringToSign:${detail}` : e.message;
    super(text);
    this.name = 'GatewayRefusal';
    this.status = e.status;
    this.errorMessage = text;
  }
}

/** Header values must be printable ASCII: percent-encode (as UTF-8) every other character. */
export function headerSafe(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x20 && c <= 0x7e) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
