// `shiming admin …`: the operator's commands, on the same data as the server (SHIMING_DATA_DIR
// for SQLite, DATABASE_URL for PostgreSQL). With --json each prints one JSON object.
import { loadConfig } from '../config.ts';
import { openStore, migrateToLatest, type Store } from '../store/index.ts';
import { auditLedger, createBuyer, grantPackage, listPackages, usageRecords, BillingInputError } from '../billing/index.ts';
import { createApp, listApps, resetAppCode, resetAppSecret, setAppActive, AppInputError } from '../gateway/index.ts';
import { runRegistryAdmin } from '../verification/index.ts';

const USAGE = `usage: shiming admin <command> [--json]
  buyer create --name NAME                     create a buyer            -> {"id", "name"}
  app create --buyer ID [--name NAME]          create an app             -> {"id", "appKey", "appSecret", "appCode"}
  app list --buyer ID                          the buyer's apps (no secrets)
  app reset-code --app ID                      new AppCode (old one refused at once)
  app reset-secret --app ID                    new AppSecret (old one refused at once)
  app disable|enable --app ID
  grant --buyer ID --product P --calls N [--days D]
                                               add a call package (P: idcard-ocr | idcard-verify)
  packages --buyer ID [--product P]            the buyer's packages and their status
  usage --package ID | --buyer ID --product P [--page N] [--page-size N]
                                               10-minute usage records (使用明细)
  audit                                        prove used == billed ledger rows -> {"ok", "mismatches"}
  registry import FILE.csv                     add name,idNumber lines to the verification registry
                                               (streaming; keyed hashes only; rejected line numbers on stderr)
  registry count                               identities in the verification registry`;

class UsageError extends Error {}

function parseFlags(args: string[]): { words: string[]; flags: Map<string, string | true> } {
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < args.length && !args[i + 1].startsWith('--')) flags.set(a.slice(2), args[++i]);
      else flags.set(a.slice(2), true);
    } else {
      words.push(a);
    }
  }
  return { words, flags };
}

function str(flags: Map<string, string | true>, name: string): string {
  const v = flags.get(name);
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

function int(flags: Map<string, string | true>, name: string, optional = false): number | undefined {
  if (optional && !flags.has(name)) return undefined;
  const v = str(flags, name);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`--${name} must be a whole number`);
  return Number(v);
}

function num(flags: Map<string, string | true>, name: string): number | undefined {
  if (!flags.has(name)) return undefined;
  const v = Number(str(flags, name));
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--${name} must be a positive number`);
  return v;
}

async function run(store: Store, secretKey: string, words: string[], flags: Map<string, string | true>): Promise<unknown> {
  const db = store.db;
  const now = Date.now();
  const cmd = words.join(' ');
  switch (cmd) {
    case 'buyer create':
      return createBuyer(db, { name: str(flags, 'name'), now });
    case 'app create': {
      const name = flags.get('name');
      return createApp(db, { secretKey }, { buyerId: int(flags, 'buyer')!, name: typeof name === 'string' ? name : undefined, now });
    }
    case 'app list':
      return { apps: await listApps(db, int(flags, 'buyer')!) };
    case 'app reset-code': {
      const id = int(flags, 'app')!;
      return { id, ...(await resetAppCode(db, id, now)) };
    }
    case 'app reset-secret': {
      const id = int(flags, 'app')!;
      return { id, ...(await resetAppSecret(db, { secretKey }, id, now)) };
    }
    case 'app disable':
    case 'app enable': {
      const id = int(flags, 'app')!;
      await setAppActive(db, id, words[1] === 'enable', now);
      return { id, active: words[1] === 'enable' };
    }
    case 'grant':
      return grantPackage(db, { buyerId: int(flags, 'buyer')!, product: str(flags, 'product'), calls: int(flags, 'calls')!, days: num(flags, 'days'), now, source: 'admin' });
    case 'packages': {
      const product = flags.get('product');
      return { packages: await listPackages(db, { buyerId: int(flags, 'buyer')!, product: typeof product === 'string' ? product : undefined, now }) };
    }
    case 'usage': {
      const page = int(flags, 'page', true);
      const pageSize = int(flags, 'page-size', true);
      return flags.has('package')
        ? usageRecords(db, { packageId: int(flags, 'package')!, page, pageSize })
        : usageRecords(db, { buyerId: int(flags, 'buyer')!, product: str(flags, 'product'), page, pageSize });
    }
    case 'audit':
      return auditLedger(db);
    default:
      throw new UsageError(cmd ? `unknown command: admin ${cmd}` : 'a command is required');
  }
}

export interface AdminIo {
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/**
 * Runs one admin command (`argv` is what follows `shiming admin`). Returns the exit code:
 * 0 done, 1 failed (audit not ok, bad input), 2 usage error.
 */
export async function runAdmin(argv: string[], io: AdminIo = {}): Promise<number> {
  const out = io.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = io.err ?? ((l: string) => process.stderr.write(l + '\n'));
  const { words, flags } = parseFlags(argv);
  const json = flags.has('json');
  if (words.length === 0 || flags.has('help') || words[0] === 'help') {
    out(USAGE);
    return words.length === 0 && !flags.has('help') ? 2 : 0;
  }
  const config = loadConfig(io.env ?? process.env);
  const store = openStore({ databaseUrl: config.storage.databaseUrl, sqlitePath: config.storage.sqlitePath, poolSize: 2 });
  try {
    await migrateToLatest(store);
    if (words[0] === 'registry') return await runRegistryAdmin(words.slice(1), { store, config, out, err });
    const result = await run(store, config.gateway.secretKey, words, flags);
    out(json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
    return (result as { ok?: boolean }).ok === false ? 1 : 0;
  } catch (e) {
    const usage = e instanceof UsageError;
    const known = usage || e instanceof BillingInputError || e instanceof AppInputError;
    const message = known ? (e as Error).message : `failed: ${(e as Error).message}`;
    if (json) out(JSON.stringify({ ok: false, error: message }));
    else err(usage ? `${message}\n${USAGE}` : message);
    return usage ? 2 : 1;
  } finally {
    await store.close();
  }
}

// Run directly: `node --import tsx src/cli/admin.ts buyer create --name x --json`
if (import.meta.url === `file://${process.argv[1]}`) {
  runAdmin(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
