// Identity values as the registry and the cache see them: normalised, then replaced by keyed
// hashes. Plain names and numbers never leave this file except as HMAC-SHA256 digests.
import crypto from 'node:crypto';
import { checkIdNumber, isValidChineseName, normaliseName, upgradeLegacyIdNumber } from '../idcard/index.ts';

// Names are normalised the way the API's checks see them (NFC, trimmed, look-alike dots as `·`),
// so a name the API accepts hashes the same in the registry, the cache and the upstream request.
export { normaliseName };

/** A name the API would accept (2–15 Chinese characters, `·` between parts). */
export function isPlausibleName(name: string): boolean {
  return isValidChineseName(name);
}

/**
 * Full-width digits folded (NFKC), trimmed, `x` upper-cased; a 15-digit legacy number is upgraded
 * to its 18-digit form (century 19, computed check digit) so both spellings hash the same.
 */
export function normaliseIdNumber(raw: string): string {
  const id = raw.normalize('NFKC').trim().toUpperCase();
  return /^[0-9]{15}$/.test(id) ? upgradeLegacyIdNumber(id) : id;
}

/** A well-formed GB 11643 number: province, a real birth date not after `today`, check digit. */
export function isPlausibleIdNumber(id: string, today: Date): boolean {
  return checkIdNumber(id, today).ok;
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
  // a KeyObject is imported once; a Buffer key would be copied into every Hmac
  private readonly key: crypto.KeyObject;

  constructor(key: Buffer) {
    this.key = crypto.createSecretKey(Buffer.from(key));
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
