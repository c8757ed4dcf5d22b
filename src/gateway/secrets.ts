// Credential material: random AppKey / AppSecret / AppCode, the AppCode's hash, and AES-256-GCM
// encryption of the AppSecret at rest.
import crypto from 'node:crypto';

/** The encryption key: config.gateway (`{ secretKey }`), or the key itself (32 bytes or 64 hex). */
export type SecretKeySource = { secretKey: string | Buffer } | string | Buffer;

export function secretKeyOf(source: SecretKeySource): Buffer {
  const raw = typeof source === 'string' || Buffer.isBuffer(source) ? source : source.secretKey;
  const key = Buffer.isBuffer(raw) ? raw : /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : undefined;
  if (!key || key.length !== 32) throw new Error('gateway secret key must be 32 bytes (64 hex characters)');
  return key;
}

const PREFIX = 'v1:';

export function encryptSecret(key: Buffer, plain: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function decryptSecret(key: Buffer, stored: string): string {
  if (!stored.startsWith(PREFIX)) throw new Error('unknown secret format');
  const buf = Buffer.from(stored.slice(PREFIX.length), 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  decipher.setAuthTag(buf.subarray(12, 28));
  return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
}

/** AppCodes are 128 random bits: a fast hash is enough, and it lets us look them up by hash. */
export function hashAppCode(code: string): string {
  return crypto.createHash('sha256').update(code, 'utf8').digest('hex');
}

export function newAppCode(): string {
  return crypto.randomBytes(16).toString('hex');
}

export function newAppSecret(): string {
  return crypto.randomBytes(16).toString('hex');
}

/** 12 digits, like the cloud's numeric AppKeys (uniqueness is enforced by the database). */
export function newAppKey(): string {
  return String(100_000_000_000 + crypto.randomInt(0, 899_999_999_999));
}

export const APP_CODE_PATTERN = /^[A-Za-z0-9]{16,64}$/;
