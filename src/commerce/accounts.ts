// Logins for buyers and operators: argon2id password hashes, server-side sessions whose cookie
// token is stored only as its SHA-256, a per-session CSRF token, and login throttling counted in
// the database so that every node sees the same failures.
import crypto from 'node:crypto';
import argon2 from 'argon2';
import { createBuyer, writeTransaction } from '../billing/index.ts';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../store/index.ts';
import type { Db, CommerceConfig } from './types.ts';
import { CommerceError, conflict, invalid } from './errors.ts';

export interface Account {
  id: number;
  email: string;
  role: 'buyer' | 'operator';
  buyerId: number | null;
  name: string;
}

export interface SessionStart {
  /** goes into the HTTP-only session cookie; only its hash is stored */
  token: string;
  /** must come back in the X-CSRF-Token header of every state-changing request */
  csrfToken: string;
  expiresAt: number;
  account: Account;
}

const EMAIL = /^[^\s@<>()"',;:\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;

export function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (e.length > 254 || !EMAIL.test(e)) throw invalid('invalid_email', 'e-mail address is not valid');
  return e;
}

function checkPassword(password: string): void {
  if (password.length < 8) throw invalid('weak_password', 'password must have at least 8 characters');
  if (password.length > 128) throw invalid('invalid_password', 'password must have at most 128 characters');
}

function checkName(name: string): string {
  const n = name.trim();
  if (n.length < 1 || n.length > 100 || /[\u0000-\u001f\u007f]/.test(n)) throw invalid('invalid_name', 'name must be 1 to 100 printable characters');
  return n;
}

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): strong, and cheap enough that logins on a
// small shared server do not queue behind each other.
export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });

// Verifying against this when the e-mail is unknown keeps the answer time the same.
let dummyHash: Promise<string> | undefined;

function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

function toAccount(row: { id: number; email: string; role: 'buyer' | 'operator'; buyer_id: number | null; name: string }): Account {
  return { id: Number(row.id), email: row.email, role: row.role, buyerId: row.buyer_id === null ? null : Number(row.buyer_id), name: row.name };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || /UNIQUE constraint failed/.test(e?.message ?? '');
}
export { isUniqueViolation };

/** A new buyer (billing's buyer plus this login), as the console's sign-up does. */
export async function signUp(db: Kysely<DatabaseSchema>, input: { email: string; password: string; name: string; now: number }): Promise<Account> {
  const email = normalizeEmail(input.email);
  checkPassword(input.password);
  const name = checkName(input.name);
  const passwordHash = await hashPassword(input.password);
  try {
    return await writeTransaction(db, async (trx) => {
      const buyer = await createBuyer(trx, { name });
      const row = await trx.insertInto('accounts').values({
        email, password_hash: passwordHash, role: 'buyer', buyer_id: buyer.id, name, disabled: 0, created_at: input.now,
      }).returning(['id', 'email', 'role', 'buyer_id', 'name']).executeTakeFirstOrThrow();
      return toAccount(row);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('email_taken', 'an account with this e-mail already exists');
    throw err;
  }
}

/** An operator login (the `shiming admin` command and the config's first operator use this). */
export async function createOperator(db: Db, input: { email: string; password: string; name?: string; now?: number }): Promise<Account> {
  const email = normalizeEmail(input.email);
  checkPassword(input.password);
  const name = checkName(input.name ?? email.split('@')[0]);
  const passwordHash = await hashPassword(input.password);
  try {
    const row = await db.insertInto('accounts').values({
      email, password_hash: passwordHash, role: 'operator', buyer_id: null, name, disabled: 0, created_at: input.now ?? Date.now(),
    }).returning(['id', 'email', 'role', 'buyer_id', 'name']).executeTakeFirstOrThrow();
    return toAccount(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('email_taken', 'an account with this e-mail already exists');
    throw err;
  }
}

/** Creates the config's operator unless an account already has that e-mail. */
export async function ensureOperator(db: Db, config: Pick<CommerceConfig, 'operatorEmail' | 'operatorPassword'>): Promise<Account | undefined> {
  if (!config.operatorEmail || !config.operatorPassword) return undefined;
  const existing = await db.selectFrom('accounts').select('id').where('email', '=', normalizeEmail(config.operatorEmail)).executeTakeFirst();
  if (existing) return undefined;
  try {
    return await createOperator(db, { email: config.operatorEmail, password: config.operatorPassword });
  } catch (err) {
    if (err instanceof CommerceError && err.code === 'email_taken') return undefined; // another node won
    throw err;
  }
}

type ThrottleConfig = Pick<CommerceConfig, 'loginMaxFailuresPerAccount' | 'loginMaxFailuresPerIp' | 'loginWindowMinutes' | 'sessionTtlMinutes'>;

async function failuresSince(db: Db, scope: string, since: number): Promise<number> {
  const row = await db.selectFrom('login_failures').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('scope', '=', scope).where('at', '>', since).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function logIn(db: Db, config: ThrottleConfig, input: { email: string; password: string; ip: string; now: number }): Promise<SessionStart> {
  const bad = new CommerceError(401, 'bad_credentials', 'e-mail or password is wrong');
  let email: string;
  try {
    email = normalizeEmail(input.email);
  } catch {
    throw bad;
  }
  if (input.password.length > 128) throw bad;
  const since = input.now - config.loginWindowMinutes * 60_000;
  const accountScope = `account:${email}`;
  const ipScope = `ip:${input.ip}`;
  if (await failuresSince(db, accountScope, since) >= config.loginMaxFailuresPerAccount
    || await failuresSince(db, ipScope, since) >= config.loginMaxFailuresPerIp) {
    throw new CommerceError(429, 'too_many_attempts', 'too many failed logins; try again later');
  }
  const row = await db.selectFrom('accounts').select(['id', 'email', 'role', 'buyer_id', 'name', 'password_hash', 'disabled'])
    .where('email', '=', email).executeTakeFirst();
  dummyHash ??= hashPassword(crypto.randomBytes(16).toString('hex'));
  const ok = await argon2.verify(row?.password_hash ?? await dummyHash, input.password).catch(() => false);
  if (!row || !ok || row.disabled) {
    await db.insertInto('login_failures').values([{ scope: accountScope, at: input.now }, { scope: ipScope, at: input.now }]).execute();
    // keep the table small: failures older than the window no longer count
    await db.deleteFrom('login_failures').where('at', '<', since).execute();
    throw bad;
  }
  await db.deleteFrom('login_failures').where('scope', '=', accountScope).execute();
  return startSession(db, config, toAccount(row), input.now);
}

export async function startSession(db: Db, config: Pick<CommerceConfig, 'sessionTtlMinutes'>, account: Account, now: number): Promise<SessionStart> {
  const token = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(24).toString('base64url');
  const expiresAt = now + config.sessionTtlMinutes * 60_000;
  await db.insertInto('sessions').values({ id: sha256(token), account_id: account.id, csrf_token: csrfToken, created_at: now, expires_at: expiresAt }).execute();
  return { token, csrfToken, expiresAt, account };
}

export interface ActiveSession {
  account: Account;
  csrfToken: string;
  expiresAt: number;
}

export async function findSession(db: Db, token: string, now: number): Promise<ActiveSession | undefined> {
  if (!token || token.length > 200) return undefined;
  const row = await db.selectFrom('sessions').innerJoin('accounts', 'accounts.id', 'sessions.account_id')
    .select(['accounts.id', 'accounts.email', 'accounts.role', 'accounts.buyer_id', 'accounts.name', 'accounts.disabled', 'sessions.csrf_token', 'sessions.expires_at'])
    .where('sessions.id', '=', sha256(token)).executeTakeFirst();
  if (!row || row.disabled || Number(row.expires_at) <= now) return undefined;
  return { account: toAccount(row), csrfToken: row.csrf_token, expiresAt: Number(row.expires_at) };
}

export async function logOut(db: Db, token: string, now: number): Promise<void> {
  await db.deleteFrom('sessions').where((eb) => eb.or([eb('id', '=', sha256(token)), eb('expires_at', '<=', now)])).execute();
}

export async function changePassword(db: Db, accountId: number, input: { current: string; next: string }): Promise<void> {
  checkPassword(input.next);
  const row = await db.selectFrom('accounts').select('password_hash').where('id', '=', accountId).executeTakeFirstOrThrow();
  if (input.current.length > 128 || !(await argon2.verify(row.password_hash, input.current).catch(() => false))) {
    throw new CommerceError(401, 'bad_credentials', 'current password is wrong');
  }
  await db.updateTable('accounts').set({ password_hash: await hashPassword(input.next) }).where('id', '=', accountId).execute();
  // every other browser of this account must log in again
  await db.deleteFrom('sessions').where('account_id', '=', accountId).execute();
}
