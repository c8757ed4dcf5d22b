// The `registry` source: a table of keyed hashes the operator fills (see import.ts).
// A number known with the same name -> match; with another name -> mismatch; else unknown.
import crypto from 'node:crypto';
import type { Store } from '../store/index.ts';
import { IdentityHasher, isPlausibleIdNumber, isPlausibleName, normaliseIdNumber, normaliseName } from './identity.ts';
import { VerificationUnavailable, type IdentityClaim, type VerificationDeps, type VerificationOutcome, type VerificationSource } from './types.ts';

/** settings row that remembers which key the registry's hashes were made with */
const FINGERPRINT_KEY = 'verification.registry_key_fingerprint';

export interface HashedIdentity {
  idHash: Buffer;
  pairHash: Buffer;
}

export interface UpsertCounts {
  /** numbers not in the registry before */
  imported: number;
  /** numbers already there with another name, now replaced */
  updated: number;
  /** numbers already there with the same name */
  unchanged: number;
}

/** Raised for a name or number that cannot be a resident identity; carries no PII. */
export class InvalidIdentity extends Error {
  constructor(readonly field: 'name' | 'idNumber') {
    super(field === 'name' ? 'name is not 2-15 Chinese characters' : 'ID number is not a valid 18-character GB 11643 number');
    this.name = 'InvalidIdentity';
  }
}

/** Normalises and checks one identity, then hashes it. Throws `InvalidIdentity`. */
export function hashIdentity(hasher: IdentityHasher, claim: IdentityClaim, today: Date): HashedIdentity {
  const name = normaliseName(claim.name);
  const idNumber = normaliseIdNumber(claim.idNumber);
  if (!isPlausibleIdNumber(idNumber, today)) throw new InvalidIdentity('idNumber');
  if (!isPlausibleName(name)) throw new InvalidIdentity('name');
  return { idHash: hasher.idHash(idNumber), pairHash: hasher.pairHash(name, idNumber) };
}

/**
 * Records the key's fingerprint on first use and refuses a different key afterwards: hashes
 * made with two keys in one table would silently answer 'unknown' for half the people.
 */
export async function claimRegistryKey(store: Store, hasher: IdentityHasher): Promise<void> {
  const fingerprint = hasher.fingerprint();
  await store.db.insertInto('settings').values({ key: FINGERPRINT_KEY, value: fingerprint })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await store.db.selectFrom('settings').select('value').where('key', '=', FINGERPRINT_KEY).executeTakeFirst();
  if (row?.value !== fingerprint) {
    throw new Error('the verification registry was filled with another verification.hmacKey; restore that key (or empty the registry) before adding to it');
  }
}

/** whether the registry's hashes were made with this key ('absent' before the first import) */
export async function registryKeyState(store: Store, hasher: IdentityHasher): Promise<'absent' | 'same' | 'different'> {
  const row = await store.db.selectFrom('settings').select('value').where('key', '=', FINGERPRINT_KEY).executeTakeFirst();
  if (!row) return 'absent';
  return row.value === hasher.fingerprint() ? 'same' : 'different';
}

/**
 * Inserts or replaces a batch in one transaction and says what changed. Later rows of the batch
 * win over earlier ones with the same number.
 */
export async function upsertHashedIdentities(store: Store, batch: HashedIdentity[], now: number): Promise<UpsertCounts> {
  const counts: UpsertCounts = { imported: 0, updated: 0, unchanged: 0 };
  if (batch.length === 0) return counts;
  const byId = new Map<string, HashedIdentity>();
  for (const row of batch) {
    const k = row.idHash.toString('base64');
    byId.delete(k); // keep the last occurrence, in its position
    byId.set(k, row);
  }
  const rows = [...byId.values()];
  await store.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('verification_registry').select(['id_hash', 'pair_hash'])
      .where('id_hash', 'in', rows.map((r) => r.idHash)).execute();
    const known = new Map(existing.map((e) => [Buffer.from(e.id_hash).toString('base64'), Buffer.from(e.pair_hash)]));
    const changed: HashedIdentity[] = [];
    for (const row of rows) {
      const before = known.get(row.idHash.toString('base64'));
      if (!before) counts.imported++;
      else if (before.equals(row.pairHash)) {
        counts.unchanged++;
        continue;
      } else counts.updated++;
      changed.push(row);
    }
    // Keys are random (HMACs): in key order, neighbouring rows share b-tree pages.
    changed.sort((a, b) => Buffer.compare(a.idHash, b.idHash));
    // 3 parameters a row: 5,000 rows stay well under SQLite's 32,766 and PostgreSQL's 65,535.
    for (let i = 0; i < changed.length; i += 5000) {
      const slice = changed.slice(i, i + 5000);
      await trx.insertInto('verification_registry')
        .values(slice.map((r) => ({ id_hash: r.idHash, pair_hash: r.pairHash, updated_at: now })))
        .onConflict((oc) => oc.column('id_hash').doUpdateSet((eb) => ({
          pair_hash: eb.ref('excluded.pair_hash'),
          updated_at: eb.ref('excluded.updated_at'),
        })))
        .execute();
    }
  });
  return counts;
}

/** Number of identities in the registry. */
export async function countRegistry(store: Store): Promise<number> {
  const row = await store.db.selectFrom('verification_registry').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function createRegistrySource(store: Store, hasher: IdentityHasher, deps: VerificationDeps = {}): VerificationSource {
  let keyChecked = false;
  const fail = (reason: 'database' | 'key-mismatch', cause?: unknown): never => {
    deps.onSourceError?.({ source: 'registry', reason });
    throw new VerificationUnavailable('registry', reason, undefined, { cause });
  };
  return {
    kind: 'registry',
    async verify(claim: IdentityClaim): Promise<VerificationOutcome> {
      const name = normaliseName(claim.name);
      const idNumber = normaliseIdNumber(claim.idNumber);
      let row: { pair_hash: Buffer } | undefined;
      try {
        if (!keyChecked) {
          // Checked until the first import has recorded a key, then trusted for the process.
          const state = await registryKeyState(store, hasher);
          if (state === 'different') return fail('key-mismatch');
          keyChecked = state === 'same';
        }
        row = await store.db.selectFrom('verification_registry').select('pair_hash')
          .where('id_hash', '=', hasher.idHash(idNumber)).executeTakeFirst();
      } catch (err) {
        if (err instanceof VerificationUnavailable) throw err;
        return fail('database', err);
      }
      if (!row) return 'unknown';
      const stored = Buffer.from(row.pair_hash);
      const claimed = hasher.pairHash(name, idNumber);
      return stored.length === claimed.length && crypto.timingSafeEqual(stored, claimed) ? 'match' : 'mismatch';
    },
  };
}
