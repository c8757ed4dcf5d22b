// Builds a real server for one test file: real config (temp data dir), a real migrated
// database, and a logger whose lines the test can read back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { buildServer, type ServerDeps } from '../../src/http/server.ts';
import { openStore, migrateToLatest, type Store } from '../../src/store/index.ts';
import { createVerificationSource } from '../../src/verification/index.ts';

export interface Harness {
  app: FastifyInstance;
  config: Config;
  store: Store;
  /** every log line written so far, raw JSON text */
  logs: string[];
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<ServerDeps> = {}, env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-http-'));
  const config = loadConfig({ SHIMING_DATA_DIR: dataDir, ...env });
  const store = overrides.store ?? openStore({ sqlitePath: config.storage.sqlitePath });
  await migrateToLatest(store);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const verification = createVerificationSource(store, config);
  // The routes' own behaviour: unmetered unless a test plugs metering in (api-metering.test.ts).
  const app = await buildServer({ config, store, recognizer: undefined, verification, logger, metering: false, ...overrides });
  await app.ready();
  return {
    app,
    config,
    store,
    logs,
    async close() {
      await app.close();
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
