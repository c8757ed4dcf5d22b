// The demo that `npm start` sets up on the embedded SQLite: a buyer, an app with an AppCode
// the console prints, 100 calls of each product, and the seed's sample identity in the
// verification registry, so the README's curl answers 01 with the seed's cert block.
// Idempotent: a restart finds everything in place and changes nothing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';
import type { Store } from './store/index.ts';
import { createBuyer, getBuyer, grantPackage, PRODUCTS } from './billing/index.ts';
import { createApp, AppInputError } from './gateway/index.ts';
import { registerIdentity } from './verification/index.ts';

export const DEMO_IDENTITY = { name: '张三', idNumber: '522229198509112018' } as const;
export const DEMO_CALLS = 100;

export interface Demo {
  appCode: string;
  buyerId: number;
  /** false when an earlier start had already set it up */
  created: boolean;
}

interface DemoFile {
  buyerId: number;
  appCode: string;
}

/**
 * The AppCode is stored hashed in the database, so the demo keeps its own copy in
 * dataDir/demo.json (mode 600) to print it again on every start.
 */
function readDemoFile(file: string): DemoFile | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DemoFile>;
    if (typeof parsed.buyerId === 'number' && typeof parsed.appCode === 'string') return parsed as DemoFile;
  } catch {
    // absent or damaged: set the demo up again
  }
  return undefined;
}

export async function ensureDemo(store: Store, config: Config, now: number = Date.now()): Promise<Demo> {
  const file = path.join(config.storage.dataDir, 'demo.json');
  const stored = readDemoFile(file);
  const appCode = config.demo.appCode ?? stored?.appCode ?? crypto.randomBytes(16).toString('hex');

  let buyerId = stored && (await getBuyer(store.db, stored.buyerId)) ? stored.buyerId : undefined;
  let created = false;
  try {
    buyerId ??= (await createBuyer(store.db, { name: 'Demo buyer', now })).id;
    await createApp(store.db, config.gateway, { buyerId, appCode, name: 'demo', now });
    for (const product of PRODUCTS) await grantPackage(store.db, { buyerId, product, calls: DEMO_CALLS, now });
    created = true;
  } catch (err) {
    // The AppCode is already in use: the demo app exists from an earlier start.
    if (!(err instanceof AppInputError) || !/already in use/.test(err.message)) throw err;
  }
  fs.mkdirSync(config.storage.dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ buyerId: buyerId!, appCode } satisfies DemoFile, null, 2) + '\n', { mode: 0o600 });
  await registerIdentity(store, config, DEMO_IDENTITY, now);
  return { appCode, buyerId: buyerId!, created };
}

/** What `serve` prints after the demo is ready. */
export function demoBanner(demo: Demo, baseUrl: string): string {
  return [
    `Demo AppCode: ${demo.appCode}  (${DEMO_CALLS} calls of each product; the registry knows ${DEMO_IDENTITY.name} / ${DEMO_IDENTITY.idNumber})`,
    'Try it with the picture of the seed card (or a photo of a card of your own):',
    `  curl -s -X POST '${baseUrl}/OcridCard' \\`,
    `    -H 'Authorization: APPCODE ${demo.appCode}' \\`,
    `    --data-urlencode "image=$(base64 -w0 docs/seed-card.jpg)"`,
    `  curl -s -X POST '${baseUrl}/idcard/verify' -H 'Authorization: APPCODE ${demo.appCode}' \\`,
    `    --data-urlencode 'name=${DEMO_IDENTITY.name}' --data-urlencode 'idCard=${DEMO_IDENTITY.idNumber}'`,
  ].join('\n');
}
