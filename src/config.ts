// One validated configuration object for the whole product, read once at start.
//
// Sources, strongest first: environment variables, then an optional JSON file (`SHIMING_CONFIG`
// or `--config`), then defaults. The file has one object per section, with the same names as
// the `Config` type, e.g. `{ "server": { "port": 9000 }, "images": { "allowedHosts": ["a.b"] } }`.
// Every problem is collected and reported at once, each naming the env variable or file key.
//
// Adding a setting: add the field to your section's interface and one `read.*` line in that
// section's block of `loadConfig`. File keys nobody reads are reported as errors (typos).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseHttpSourceSettings, type HttpSourceConfig } from './verification/index.ts';

export interface ServerConfig {
  host: string;
  port: number;
  /** largest request body accepted; larger answers 413 `Request Body Too Large` */
  bodyLimitBytes: number;
  /** honour X-Forwarded-For when behind a reverse proxy */
  trustProxy: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface StorageConfig {
  /** SQLite file, generated secrets and other state live here */
  dataDir: string;
  /** postgres://… selects PostgreSQL; absent means SQLite at `sqlitePath` */
  databaseUrl?: string;
  sqlitePath: string;
}

export interface DemoConfig {
  /** fixes the demo app's AppCode; random (and kept) when absent */
  appCode?: string;
  /** create the demo buyer/app/registry entry on `serve` (only with the embedded SQLite) */
  enabled: boolean;
}

export interface RecognitionConfig {
  /** worker threads running the recognition engine; 0 reads in the main thread */
  poolSize: number;
  /** ONNX Runtime intra-op threads per worker (1: one request, one core) */
  threads: number;
}

export interface VerificationConfig {
  source: 'registry' | 'http';
  /** key of the HMAC that stands in for name+number in the registry and the cache */
  hmacKey: string;
  /** how long a verification result is reused, 0 = no cache */
  cacheTtlMs: number;
  /** most results the cache holds; the least recently used go first */
  cacheMaxEntries: number;
  /** the upstream authority when `source` is 'http' (request, response mapping, timeout, retries, breaker) */
  http?: HttpSourceConfig;
}

export interface GatewayConfig {
  /** key that encrypts stored AppSecrets (32 bytes, hex) */
  secretKey: string;
  /** calls per second of one app, of one buyer, of each API over everyone (0 = unlimited) */
  appCallsPerSecond: number;
  buyerCallsPerSecond: number;
  ocrCallsPerSecond: number;
  verifyCallsPerSecond: number;
}

export interface BillingConfig {
  /** result codes that are charged (the vendors' convention: only 01 and 02) */
  billableCodes: string[];
  /** an unsettled hold (a crashed node) returns its call to the buyer after this long */
  holdTtlMs: number;
}
export interface CommerceConfig {
  /** `Secure` on the console's cookies; turn off only for plain-HTTP development */
  cookieSecure: boolean;
  sessionTtlMinutes: number;
  /** an unpaid order expires after this long */
  orderTtlMinutes: number;
  /** an unused package can be refunded this many days after purchase */
  refundDays: number;
  /** default renewal-warning threshold, percent of calls left */
  warnThresholdPct: number;
  /** warn when a package with calls left expires within this many days */
  expiryWarnDays: number;
  loginMaxFailuresPerAccount: number;
  loginMaxFailuresPerIp: number;
  loginWindowMinutes: number;
  invoicePdfMaxBytes: number;
  /** creates this operator at start when no account has the e-mail yet */
  operatorEmail?: string;
  operatorPassword?: string;
  /** 联系我们: the support channels the console shows (company, hours, phones, emails, channels, note) */
  support?: SupportContacts;
}
export interface SupportContacts {
  company?: string;
  hours?: string;
  phones?: string[];
  emails?: string[];
  channels?: Array<{ name: string; value: string }>;
  note?: string;
}
export interface NotifyConfig {
  /** SMTP relay for e-mail; absent means e-mail is not sent (recorded as such) */
  smtpHost?: string;
  smtpPort: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when offered */
  smtpSecure: boolean;
  /** check the relay's TLS certificate; turn off only for a relay with a self-signed one */
  smtpVerifyCertificate: boolean;
  smtpUser?: string;
  smtpPassword?: string;
  mailFrom: string;
  /** HTTP SMS gateway: POST JSON {to, text}; absent means SMS is not sent */
  smsUrl?: string;
  /** sent as `Authorization: Bearer <token>` to the SMS gateway */
  smsToken?: string;
}

export interface ImagesConfig {
  /** hosts an image URL may point to even when they resolve to private addresses */
  allowedHosts: string[];
  fetchTimeoutMs: number;
}

export interface Config {
  server: ServerConfig;
  storage: StorageConfig;
  demo: DemoConfig;
  recognition: RecognitionConfig;
  verification: VerificationConfig;
  gateway: GatewayConfig;
  billing: BillingConfig;
  commerce: CommerceConfig;
  notify: NotifyConfig;
  images: ImagesConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
type FileTree = Record<string, unknown>;

/** Reads one setting at a time from env, then file, then default, collecting problems. */
class SettingReader {
  readonly problems: string[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly env: Env, private readonly file: FileTree, private readonly fileName?: string) {}

  private raw(key: string, envName?: string): { value: unknown; from: string } | undefined {
    this.used.add(key);
    if (envName !== undefined) {
      const v = this.env[envName];
      if (v !== undefined && v !== '') return { value: v, from: `${envName}=${JSON.stringify(v)}` };
    }
    const [section, field] = key.split('.');
    const s = this.file[section];
    if (s && typeof s === 'object' && field in (s as object)) {
      const v = (s as Record<string, unknown>)[field];
      if (v !== undefined && v !== null) return { value: v, from: `${key}=${JSON.stringify(v)} in ${this.fileName}` };
    }
    return undefined;
  }

  private fail(from: string, key: string, why: string): void {
    this.problems.push(`${from} (${key}): ${why}`);
  }

  string(key: string, envName: string | undefined, fallback: string): string;
  string(key: string, envName: string | undefined, fallback?: undefined): string | undefined;
  string(key: string, envName: string | undefined, fallback?: string): string | undefined {
    const r = this.raw(key, envName);
    if (!r) return fallback;
    if (typeof r.value !== 'string') {
      this.fail(r.from, key, 'must be a string');
      return fallback;
    }
    return r.value;
  }

  /** a JSON value: as written in the file, or parsed from a JSON string in env */
  json(key: string, envName: string | undefined): unknown {
    const r = this.raw(key, envName);
    if (!r) return undefined;
    if (envName === undefined || this.env[envName] === undefined || this.env[envName] === '') return r.value;
    try {
      return JSON.parse(r.value as string);
    } catch {
      this.fail(envName, key, 'must be JSON');
      return undefined;
    }
  }

  int(key: string, envName: string | undefined, fallback: number, min: number, max: number): number {
    const r = this.raw(key, envName);
    if (!r) return fallback;
    const n = typeof r.value === 'number' ? r.value : typeof r.value === 'string' && /^\s*-?\d+\s*$/.test(r.value) ? Number(r.value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.fail(r.from, key, `must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  bool(key: string, envName: string | undefined, fallback: boolean): boolean {
    const r = this.raw(key, envName);
    if (!r) return fallback;
    if (typeof r.value === 'boolean') return r.value;
    if (typeof r.value === 'string') {
      const v = r.value.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
    }
    this.fail(r.from, key, 'must be true or false');
    return fallback;
  }

  oneOf<T extends string>(key: string, envName: string | undefined, fallback: T, choices: readonly T[]): T {
    const r = this.raw(key, envName);
    if (!r) return fallback;
    if (typeof r.value === 'string' && (choices as readonly string[]).includes(r.value)) return r.value as T;
    this.fail(r.from, key, `must be one of ${choices.join(', ')}`);
    return fallback;
  }

  /** a list: a JSON array in the file, comma-separated in env */
  list(key: string, envName: string | undefined, fallback: string[]): string[] {
    const r = this.raw(key, envName);
    if (!r) return fallback;
    if (typeof r.value === 'string') return r.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (Array.isArray(r.value) && r.value.every((v) => typeof v === 'string')) return r.value as string[];
    this.fail(r.from, key, 'must be a list of strings');
    return fallback;
  }

  /** checks a value already read; `why` names the rule it breaks */
  check(ok: boolean, key: string, envName: string | undefined, why: string): void {
    if (!ok) this.fail(envName && this.env[envName] ? `${envName}=${JSON.stringify(this.env[envName])}` : key, key, why);
  }

  unusedFileKeys(): string[] {
    const out: string[] = [];
    for (const [section, value] of Object.entries(this.file)) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        out.push(section);
        continue;
      }
      for (const field of Object.keys(value)) if (!this.used.has(`${section}.${field}`)) out.push(`${section}.${field}`);
    }
    return out;
  }
}

function readConfigFile(file: string): FileTree {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`config file ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`config file ${file}: not valid JSON (${(err as Error).message})`]);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`config file ${file}: must hold a JSON object with one object per section`]);
  }
  return parsed as FileTree;
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** Secrets that must survive restarts; generated once into dataDir/secrets.json (mode 600). */
interface StoredSecrets {
  hmacKey: string;
  secretKey: string;
}

function loadOrCreateSecrets(dataDir: string): StoredSecrets {
  const file = path.join(dataDir, 'secrets.json');
  if (fs.existsSync(file)) {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<StoredSecrets>;
    if (typeof stored.hmacKey === 'string' && HEX_KEY.test(stored.hmacKey) && typeof stored.secretKey === 'string' && HEX_KEY.test(stored.secretKey)) {
      return stored as StoredSecrets;
    }
    throw new ConfigError([`${file}: damaged (expected hmacKey and secretKey, 64 hex characters each); restore it from a backup`]);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const fresh: StoredSecrets = { hmacKey: crypto.randomBytes(32).toString('hex'), secretKey: crypto.randomBytes(32).toString('hex') };
  // 'wx' so two processes starting at once cannot overwrite each other's keys.
  try {
    fs.writeFileSync(file, JSON.stringify(fresh, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecrets(dataDir);
    throw err;
  }
  return fresh;
}

/**
 * Builds the validated configuration. `file` (or env SHIMING_CONFIG) names an optional JSON
 * file whose values env overrides. Throws `ConfigError` listing every bad setting.
 * Side effect: creates `dataDir` and `dataDir/secrets.json` when keys are not configured.
 */
export function loadConfig(env: Env = process.env, file?: string): Config {
  const fileName = file ?? (env.SHIMING_CONFIG || undefined);
  const tree = fileName ? readConfigFile(fileName) : {};
  const read = new SettingReader(env, tree, fileName);
  const MB = 1024 * 1024;

  const server: ServerConfig = {
    host: read.string('server.host', 'HOST', '127.0.0.1'),
    port: read.int('server.port', 'PORT', 8080, 0, 65535),
    // A 4 MB image as base64 inside a form is about 5.4 MB, percent-encoded up to ~7.5 MB.
    bodyLimitBytes: read.int('server.bodyLimitBytes', 'SHIMING_BODY_LIMIT_BYTES', 10 * MB, 1024, 100 * MB),
    trustProxy: read.bool('server.trustProxy', 'SHIMING_TRUST_PROXY', false),
    logLevel: read.oneOf('server.logLevel', 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  };

  const dataDir = path.resolve(read.string('storage.dataDir', 'SHIMING_DATA_DIR', './data'));
  const databaseUrl = read.string('storage.databaseUrl', 'DATABASE_URL');
  read.check(databaseUrl === undefined || /^postgres(ql)?:\/\//.test(databaseUrl), 'storage.databaseUrl', 'DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  const storage: StorageConfig = { dataDir, databaseUrl, sqlitePath: path.join(dataDir, 'shiming.sqlite') };

  const demoAppCode = read.string('demo.appCode', 'SHIMING_DEMO_APPCODE');
  read.check(demoAppCode === undefined || /^[A-Za-z0-9]{16,64}$/.test(demoAppCode), 'demo.appCode', 'SHIMING_DEMO_APPCODE', 'must be 16 to 64 letters or digits');
  const demo: DemoConfig = {
    appCode: demoAppCode,
    enabled: read.bool('demo.enabled', 'SHIMING_DEMO', true),
  };

  const recognition: RecognitionConfig = {
    poolSize: read.int('recognition.poolSize', 'SHIMING_RECOGNITION_POOL_SIZE', 1, 0, 64),
    threads: read.int('recognition.threads', 'SHIMING_RECOGNITION_THREADS', 1, 1, 16),
  };

  const hmacKey = read.string('verification.hmacKey', 'SHIMING_HMAC_KEY');
  read.check(hmacKey === undefined || HEX_KEY.test(hmacKey), 'verification.hmacKey', 'SHIMING_HMAC_KEY', 'must be 64 hex characters (32 bytes)');
  const verification: VerificationConfig = {
    source: read.oneOf('verification.source', 'SHIMING_VERIFICATION_SOURCE', 'registry', ['registry', 'http'] as const),
    hmacKey: hmacKey ?? '',
    cacheTtlMs: read.int('verification.cacheTtlMs', 'SHIMING_VERIFICATION_CACHE_TTL_MS', 10 * 60_000, 0, 365 * 24 * 3600_000),
    cacheMaxEntries: read.int('verification.cacheMaxEntries', 'SHIMING_VERIFICATION_CACHE_MAX_ENTRIES', 100_000, 1, 10_000_000),
  };
  // e.g. {"url":"https://…","body":{"name":"{name}","id":"{idNumber}"},"response":{"path":"data.result","match":[1],"mismatch":[2],"unknown":[3]}}
  const httpSource = read.json('verification.http', 'SHIMING_VERIFICATION_HTTP');
  if (httpSource !== undefined) {
    const { settings, problems } = parseHttpSourceSettings(httpSource);
    for (const p of problems) read.check(false, `verification.http.${p.split(':')[0]}`, 'SHIMING_VERIFICATION_HTTP', p.slice(p.indexOf(':') + 1).trim());
    verification.http = settings;
  }

  const secretKey = read.string('gateway.secretKey', 'SHIMING_SECRET_KEY');
  read.check(secretKey === undefined || HEX_KEY.test(secretKey), 'gateway.secretKey', 'SHIMING_SECRET_KEY', 'must be 64 hex characters (32 bytes)');
  const gateway: GatewayConfig = {
    secretKey: secretKey ?? '',
    appCallsPerSecond: read.int('gateway.appCallsPerSecond', 'SHIMING_APP_CALLS_PER_SECOND', 0, 0, 1_000_000),
    buyerCallsPerSecond: read.int('gateway.buyerCallsPerSecond', 'SHIMING_BUYER_CALLS_PER_SECOND', 0, 0, 1_000_000),
    ocrCallsPerSecond: read.int('gateway.ocrCallsPerSecond', 'SHIMING_OCR_CALLS_PER_SECOND', 0, 0, 1_000_000),
    verifyCallsPerSecond: read.int('gateway.verifyCallsPerSecond', 'SHIMING_VERIFY_CALLS_PER_SECOND', 0, 0, 1_000_000),
  };

  const billing: BillingConfig = {
    billableCodes: read.list('billing.billableCodes', 'SHIMING_BILLABLE_CODES', ['01', '02']),
    holdTtlMs: read.int('billing.holdTtlMs', 'SHIMING_HOLD_TTL_MS', 5 * 60_000, 10_000, 24 * 3600_000),
  };
  const commerce: CommerceConfig = {
    cookieSecure: read.bool('commerce.cookieSecure', 'SHIMING_COOKIE_SECURE', true),
    sessionTtlMinutes: read.int('commerce.sessionTtlMinutes', 'SHIMING_SESSION_TTL_MINUTES', 7 * 24 * 60, 5, 365 * 24 * 60),
    orderTtlMinutes: read.int('commerce.orderTtlMinutes', 'SHIMING_ORDER_TTL_MINUTES', 30, 1, 30 * 24 * 60),
    refundDays: read.int('commerce.refundDays', 'SHIMING_REFUND_DAYS', 7, 0, 3650),
    warnThresholdPct: read.int('commerce.warnThresholdPct', 'SHIMING_WARN_THRESHOLD_PCT', 20, 1, 99),
    expiryWarnDays: read.int('commerce.expiryWarnDays', 'SHIMING_EXPIRY_WARN_DAYS', 7, 1, 365),
    loginMaxFailuresPerAccount: read.int('commerce.loginMaxFailuresPerAccount', 'SHIMING_LOGIN_MAX_FAILURES_PER_ACCOUNT', 5, 1, 1000),
    loginMaxFailuresPerIp: read.int('commerce.loginMaxFailuresPerIp', 'SHIMING_LOGIN_MAX_FAILURES_PER_IP', 30, 1, 100000),
    loginWindowMinutes: read.int('commerce.loginWindowMinutes', 'SHIMING_LOGIN_WINDOW_MINUTES', 15, 1, 24 * 60),
    invoicePdfMaxBytes: read.int('commerce.invoicePdfMaxBytes', 'SHIMING_INVOICE_PDF_MAX_BYTES', 5 * MB, 1024, 50 * MB),
    operatorEmail: read.string('commerce.operatorEmail', 'SHIMING_OPERATOR_EMAIL'),
    operatorPassword: read.string('commerce.operatorPassword', 'SHIMING_OPERATOR_PASSWORD'),
    support: parseSupportContacts(read.json('commerce.support', 'SHIMING_SUPPORT'), (problem) => read.check(false, 'commerce.support', 'SHIMING_SUPPORT', problem)),
  };
  read.check((commerce.operatorEmail === undefined) === (commerce.operatorPassword === undefined), 'commerce.operatorPassword', 'SHIMING_OPERATOR_PASSWORD', 'operatorEmail and operatorPassword go together');
  read.check(commerce.operatorPassword === undefined || commerce.operatorPassword.length >= 10, 'commerce.operatorPassword', 'SHIMING_OPERATOR_PASSWORD', 'must be at least 10 characters');
  const notify: NotifyConfig = {
    smtpHost: read.string('notify.smtpHost', 'SHIMING_SMTP_HOST'),
    smtpPort: read.int('notify.smtpPort', 'SHIMING_SMTP_PORT', 587, 1, 65535),
    smtpSecure: read.bool('notify.smtpSecure', 'SHIMING_SMTP_SECURE', false),
    smtpVerifyCertificate: read.bool('notify.smtpVerifyCertificate', 'SHIMING_SMTP_VERIFY_CERTIFICATE', true),
    smtpUser: read.string('notify.smtpUser', 'SHIMING_SMTP_USER'),
    smtpPassword: read.string('notify.smtpPassword', 'SHIMING_SMTP_PASSWORD'),
    mailFrom: read.string('notify.mailFrom', 'SHIMING_MAIL_FROM', 'shiming@localhost'),
    smsUrl: read.string('notify.smsUrl', 'SHIMING_SMS_URL'),
    smsToken: read.string('notify.smsToken', 'SHIMING_SMS_TOKEN'),
  };
  read.check(notify.smsUrl === undefined || /^https?:\/\//.test(notify.smsUrl), 'notify.smsUrl', 'SHIMING_SMS_URL', 'must be an http(s):// URL');

  const images: ImagesConfig = {
    allowedHosts: read.list('images.allowedHosts', 'SHIMING_IMAGE_ALLOWED_HOSTS', []),
    fetchTimeoutMs: read.int('images.fetchTimeoutMs', 'SHIMING_IMAGE_FETCH_TIMEOUT_MS', 5000, 100, 60_000),
  };

  const problems = [...read.problems, ...read.unusedFileKeys().map((k) => `${k} in ${fileName}: unknown setting`)];
  if (problems.length) throw new ConfigError(problems);

  if (!verification.hmacKey || !gateway.secretKey) {
    const stored = loadOrCreateSecrets(dataDir);
    verification.hmacKey ||= stored.hmacKey;
    gateway.secretKey ||= stored.secretKey;
  }

  return { server, storage, demo, recognition, verification, gateway, billing, commerce, notify, images };
}

/** 联系我们 as an operator writes it: an object of short strings and string lists, nothing else. */
function parseSupportContacts(value: unknown, fail: (problem: string) => void): SupportContacts | undefined {
  if (value === undefined) return undefined;
  const text = (v: unknown) => typeof v === 'string' && v.length <= 200;
  const list = (v: unknown) => Array.isArray(v) && v.length <= 20 && v.every(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('must be a JSON object like {"company": "…", "hours": "9:30-22:30", "phones": ["…"], "emails": ["…"]}');
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const known = new Set(['company', 'hours', 'phones', 'emails', 'channels', 'note']);
  const unknownKeys = Object.keys(v).filter((k) => !known.has(k));
  const channelsOk = v.channels === undefined || (Array.isArray(v.channels) && v.channels.length <= 20
    && v.channels.every((c) => typeof c === 'object' && c !== null && text((c as Record<string, unknown>).name) && text((c as Record<string, unknown>).value)));
  if (unknownKeys.length || ![v.company, v.hours, v.note].every((x) => x === undefined || text(x))
    || ![v.phones, v.emails].every((x) => x === undefined || list(x)) || !channelsOk) {
    fail(`must hold only company, hours, note (strings of at most 200 characters), phones, emails (lists of such strings) and channels ([{name, value}])${unknownKeys.length ? `; unknown: ${unknownKeys.join(', ')}` : ''}`);
    return undefined;
  }
  return v as SupportContacts;
}
