// Identity values as the registry and the cache see them: normalised, then replaced by keyed
// hashes. Plain names and numbers never leave this file except as HMAC-SHA256 digests.
import crypto from 'node:crypto';
import { checkDigitOf } from '../idcard/index.ts';

/** The middle dots people type between the parts of a minority name, all mapped to U+00B7. */
const NAME_DOTS = /\s*[.\u00B7\u0387\u2022\u2027\u2219\u22C5\u2E31\u30FB\uA78F\uFF0E\uFF65]\s*/g;
const HAN_NAME = /^\p{Script=Han}+(?:\u00B7\p{Script=Han}+)*$/u;

/** NFC, trimmed (ASCII and ideographic spaces), every middle-dot variant as `·` (U+00B7). */
export function normaliseName(raw: string): string {
  return raw.normalize('NFC').trim().replace(NAME_DOTS, '\u00B7');
}

/** 2–15 Chinese characters, `·` allowed between parts. Expects a normalised name. */
export function isPlausibleName(name: string): boolean {
  const length = [...name].length;
  return length >= 2 && length <= 15 && HAN_NAME.test(name);
}

/**
 * Full-width digits folded (NFKC), trimmed, `x` upper-cased; a 15-digit legacy number is upgraded
 * to its 18-digit form (century 19, computed check digit) so both spellings hash the same.
 */
export function normaliseIdNumber(raw: string): string {
  const id = raw.normalize('NFKC').trim().toUpperCase();
  if (/^[0-9]{15}$/.test(id)) {
    const first17 = `${id.slice(0, 6)}19${id.slice(6)}`;
    return first17 + checkDigitOf(first17);
  }
  return id;
}

/** 18 characters, a real calendar date in positions 7–14, and the right check digit. */
export function isPlausibleIdNumber(id: string): boolean {
  if (!/^[0-9]{17}[0-9X]$/.test(id)) return false;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1800 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  return checkDigitOf(id.slice(0, 17)) === id[17];
}

/**
 * Turns the configured key into HMAC key bytes: 64 hex characters are the 32 bytes they spell;
 * any other string of at least 32 characters is used as its UTF-8 bytes.
 */
export function hmacKeyBytes(hmacKey: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(hmacKey)) return Buffer.from(hmacKey, 'hex');
  if (hmacKey.length >= 32) return Buffer.from(hmacKey, 'utf8');
  throw new RangeError('verification.hmacKey must be 64 hex characters (or a secret of at least 32 characters)');
}

/** Keyed hashes of one identity. Inputs must already be normalised. */
export class IdentityHasher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    this.key = Buffer.from(key);
  }

  /** HMAC-SHA256(key, idNumber): the registry row's key */
  idHash(idNumber: string): Buffer {
    return crypto.createHmac('sha256', this.key).update(idNumber, 'utf8').digest();
  }

  /** HMAC-SHA256(key, name + NUL + idNumber): what a row remembers, and the cache's key */
  pairHash(name: string, idNumber: string): Buffer {
    return crypto.createHmac('sha256', this.key).update(`${name}\u0000${idNumber}`, 'utf8').digest();
  }

  /** A digest of the key itself, stored beside the registry to notice a changed key. */
  fingerprint(): string {
    return crypto.createHmac('sha256', this.key).update('shiming/verification/key-fingerprint', 'utf8').digest('hex').slice(0, 32);
  }
}
