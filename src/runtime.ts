// The running product's parts, assembled from the config once: the store (migrated), the
// verification source, the recognition engine (loading in the background), metrics, logger.
// `shiming serve`, `recognize` and `verify` all start here, so they answer alike.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { openStore, migrateToLatest, type Store } from './store/index.ts';
import { createVerificationSource } from './verification/index.ts';
import { createRecognizer, type Recognizer } from './recognition/index.ts';

export interface Runtime {
  config: Config;
  store: Store;
  logger: Logger;
  metrics: Metrics;
  verification: ReturnType<typeof createVerificationSource>;
  /** the engine, loading; undefined when it could not load */
  recognizer: Promise<Recognizer | undefined>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** start the recognition engine (serve, recognize); verify does not need it */
  recognition?: boolean;
  /** worker threads; 0 reads in this thread (the CLI's one-shot `recognize`) */
  poolSize?: number;
}

export async function openRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: config.server.logLevel });
  if (!config.storage.databaseUrl) fs.mkdirSync(config.storage.dataDir, { recursive: true });
  const store = openStore({
    databaseUrl: config.storage.databaseUrl,
    sqlitePath: config.storage.sqlitePath,
    onIdleConnectionError: (err) => logger.warn({ err }, 'the database closed an idle connection; the next query opens another'),
  });
  try {
    await migrateToLatest(store);
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  const metrics = createMetrics();
  const verification = createVerificationSource(store, config);
  const recognizer: Promise<Recognizer | undefined> = options.recognition === false
    ? Promise.resolve(undefined)
    : createRecognizer({
        poolSize: options.poolSize ?? config.recognition.poolSize,
        threads: config.recognition.threads,
        // the rewritten model graphs, kept with the service's data between starts
        graphCacheDir: path.join(config.storage.dataDir, 'model-graphs'),
      }).catch((err: unknown) => {
        logger.error({ err }, 'recognition engine failed to load; /OcridCard answers -4 until restarted');
        return undefined;
      });
  return {
    config,
    store,
    logger,
    metrics,
    verification,
    recognizer,
    async close() {
      const engine = await recognizer;
      await engine?.close().catch(() => {});
      await store.close();
    },
  };
}
