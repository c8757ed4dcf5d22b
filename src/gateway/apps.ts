// A buyer's apps and their credentials. The plain AppCode and AppSecret are returned once, at
// creation and at reset; the database keeps the AppCode's hash and the AppSecret encrypted.
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/index.ts';
import { writeTransaction } from '../billing/index.ts';
import {
  APP_CODE_PATTERN, decryptSecret, encryptSecret, hashAppCode, newAppCode, newAppKey, newAppSecret, secretKeyOf,
  type SecretKeySource,
} from './secrets.ts';

type Db = Kysely<DatabaseSchema>;

export interface CreatedApp {
  id: number;
  buyerId: number;
  appKey: string;
  /** shown once */
  appSecret: string;
  /** shown once */
  appCode: string;
}

export interface AppSummary {
  id: number;
  buyerId: number;
  name: string | null;
  appKey: string;
  active: boolean;
  products: string[] | null;
  createdAt: number;
  updatedAt: number;
}

export class AppInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppInputError';
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint/.test(String(e?.message));
}

export async function createApp(db: Db, secrets: SecretKeySource, input: {
  buyerId: number; appCode?: string; name?: string; products?: string[]; now?: number;
}): Promise<CreatedApp> {
  const key = secretKeyOf(secrets);
  if (input.appCode !== undefined && !APP_CODE_PATTERN.test(input.appCode)) throw new AppInputError('an AppCode is 16 to 64 letters or digits');
  const buyer = await db.selectFrom('buyers').select('id').where('id', '=', input.buyerId).executeTakeFirst();
  if (!buyer) throw new AppInputError(`no buyer ${input.buyerId}`);
  const now = input.now ?? Date.now();
  const appCode = input.appCode ?? newAppCode();
  const appSecret = newAppSecret();
  for (let attempt = 0; ; attempt++) {
    const appKey = newAppKey();
    try {
      const row = await db.insertInto('apps').values({
        buyer_id: input.buyerId, name: input.name ?? null, app_key: appKey, app_code_hash: hashAppCode(appCode),
        app_secret_enc: encryptSecret(key, appSecret), status: 1, version: 1,
        products: input.products?.length ? input.products.join(',') : null, created_at: now, updated_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      return { id: Number(row.id), buyerId: input.buyerId, appKey, appSecret, appCode };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (input.appCode !== undefined) {
        const taken = await db.selectFrom('apps').select('id').where('app_code_hash', '=', hashAppCode(appCode)).executeTakeFirst();
        if (taken) throw new AppInputError('that AppCode is already in use');
      }
      if (attempt > 5) throw err;
    }
  }
}

async function bump(db: Db, appId: number, set: Partial<{ app_code_hash: string; app_secret_enc: string; status: number }>, now: number): Promise<void> {
  const r = await db.updateTable('apps')
    .set((eb) => ({ ...set, version: eb('version', '+', 1), updated_at: now }))
    .where('id', '=', appId).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new AppInputError(`no app ${appId}`);
}

/** A new AppCode; the old one stops working at once on every node. */
export async function resetAppCode(db: Db, appId: number, now = Date.now()): Promise<{ appCode: string }> {
  const appCode = newAppCode();
  await bump(db, appId, { app_code_hash: hashAppCode(appCode) }, now);
  return { appCode };
}

/** A new AppSecret; signatures made with the old one are refused at once on every node. */
export async function resetAppSecret(db: Db, secrets: SecretKeySource, appId: number, now = Date.now()): Promise<{ appSecret: string }> {
  const appSecret = newAppSecret();
  await bump(db, appId, { app_secret_enc: encryptSecret(secretKeyOf(secrets), appSecret) }, now);
  return { appSecret };
}

export async function setAppActive(db: Db, appId: number, active: boolean, now = Date.now()): Promise<void> {
  await bump(db, appId, { status: active ? 1 : 0 }, now);
}

/**
 * Disables (or enables again) a buyer at the gateway: every app of the buyer answers
 * Unauthorized. Bumps the version of the buyer's apps, so every node drops its cached copies at
 * once (a hold is taken only while the app's version is the cached one). Takes a transaction as
 * `db` (commerce's setBuyerDisabled calls it inside its own).
 */
export async function setBuyerActive(db: Db, buyerId: number, active: boolean, now = Date.now()): Promise<void> {
  await writeTransaction(db, async (trx) => {
    const r = await trx.updateTable('buyers').set({ disabled: active ? 0 : 1 }).where('id', '=', buyerId).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AppInputError(`no buyer ${buyerId}`);
    await trx.updateTable('apps').set((eb) => ({ version: eb('version', '+', 1), updated_at: now })).where('buyer_id', '=', buyerId).execute();
  });
}

type AppRow = DatabaseSchema['apps'];

function summary(r: { id: number; buyer_id: number; name: string | null; app_key: string; status: number; products: string | null; created_at: number; updated_at: number }): AppSummary {
  return {
    id: Number(r.id), buyerId: Number(r.buyer_id), name: r.name, appKey: r.app_key, active: Number(r.status) === 1,
    products: r.products ? r.products.split(',') : null, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}

export async function listApps(db: Db, buyerId: number): Promise<AppSummary[]> {
  const rows = await db.selectFrom('apps')
    .select(['id', 'buyer_id', 'name', 'app_key', 'status', 'products', 'created_at', 'updated_at'])
    .where('buyer_id', '=', buyerId).orderBy('id').execute();
  return rows.map(summary);
}

/** What the hot path needs to know about an app (the secret decrypted once per cache fill). */
export interface AppCredentials {
  id: number;
  buyerId: number;
  appKey: string;
  version: number;
  active: boolean;
  products: ReadonlySet<string> | null;
  secret: Buffer;
}

function toCredentials(key: Buffer, r: Pick<AppRow, 'buyer_id' | 'app_key' | 'version' | 'status' | 'products' | 'app_secret_enc'> & { id: number; buyer_disabled: number | null }): AppCredentials {
  return {
    id: Number(r.id), buyerId: Number(r.buyer_id), appKey: r.app_key, version: Number(r.version),
    // a disabled buyer's apps are refused like disabled apps (Unauthorized)
    active: Number(r.status) === 1 && Number(r.buyer_disabled ?? 0) === 0,
    products: r.products ? new Set(r.products.split(',')) : null,
    secret: Buffer.from(decryptSecret(key, r.app_secret_enc), 'utf8'),
  };
}

/**
 * Looks apps up by AppCode or AppKey, caching them briefly. Staleness is safe: the hold is taken
 * only if the app's version in the database is still the cached one (see billing.reserve), and a
 * mismatch drops the entry so the next lookup reads the database again.
 */
export class AppDirectory {
  private readonly byCode = new Map<string, { app: AppCredentials; at: number }>();
  private readonly byKey = new Map<string, { app: AppCredentials; at: number }>();
  private readonly key: Buffer;

  constructor(private readonly db: Db, secrets: SecretKeySource, private readonly ttlMs = 60_000, private readonly clock: () => number = Date.now) {
    this.key = secretKeyOf(secrets);
  }

  /**
   * Cached by the AppCode as sent, so a cached call hashes nothing (the code stays in this
   * process's memory only, as it does in every request's headers; the database keeps its hash).
   */
  async findByCode(appCode: string): Promise<AppCredentials | undefined> {
    return this.cached(this.byCode, appCode, () => this.load('app_code_hash', hashAppCode(appCode)));
  }

  /** The cached app of an AppCode when the cache has a fresh one (no await on the hot path). */
  peekByCode(appCode: string): AppCredentials | undefined {
    const hit = this.byCode.get(appCode);
    return hit && this.clock() - hit.at < this.ttlMs ? hit.app : undefined;
  }

  async findByKey(appKey: string): Promise<AppCredentials | undefined> {
    return this.cached(this.byKey, appKey, () => this.load('app_key', appKey));
  }

  /** Drops every cached entry of the app (after a version mismatch or a local reset). */
  forget(appId: number): void {
    for (const map of [this.byCode, this.byKey]) for (const [k, v] of map) if (v.app.id === appId) map.delete(k);
  }

  private async cached(map: Map<string, { app: AppCredentials; at: number }>, k: string, load: () => Promise<AppCredentials | undefined>) {
    const now = this.clock();
    const hit = map.get(k);
    if (hit && now - hit.at < this.ttlMs) return hit.app;
    const app = await load();
    if (app) {
      if (map.size > 100_000) map.clear();
      map.set(k, { app, at: now });
    } else {
      map.delete(k);
    }
    return app;
  }

  private async load(column: 'app_code_hash' | 'app_key', value: string): Promise<AppCredentials | undefined> {
    // The app and its buyer in one statement: one snapshot, so a buyer disabled in the same
    // transaction that bumped the app's version is never seen half-way.
    const row = await this.db.selectFrom('apps')
      .leftJoin('buyers', 'buyers.id', 'apps.buyer_id')
      .select(['apps.id', 'apps.buyer_id', 'apps.app_key', 'apps.version', 'apps.status', 'apps.products', 'apps.app_secret_enc', 'buyers.disabled as buyer_disabled'])
      .where(`apps.${column}`, '=', value).executeTakeFirst();
    return row ? toCredentials(this.key, row) : undefined;
  }
}
