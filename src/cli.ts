// `shiming serve | recognize <file> | verify <name> <idNumber> | admin …`
import crypto from 'node:crypto';
import fs from 'node:fs';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { openRuntime } from './runtime.ts';
import { buildServer } from './http/server.ts';
import { answerCardImage } from './http/read-card.ts';
import { checkIdentity } from './http/identity.ts';
import { verifyAnswer } from './http/answers.ts';
import { ensureDemo, demoBanner } from './demo.ts';
import { createLogger } from './log.ts';
import { createRecognizer, type Recognizer } from './recognition/index.ts';
import { runRegistryAdmin } from './verification/index.ts';
import { runAdmin } from './cli/admin.ts';
import { startCommerceSweeps } from './commerce/index.ts';
import { createNotifier } from './notify/index.ts';

const USAGE = `Usage: shiming [--config file.json] <command>

  serve                        start the HTTP server (PORT, HOST, SHIMING_DATA_DIR, DATABASE_URL)
  recognize <file> [--detail]  print the JSON POST /OcridCard would answer for an image file
  verify <name> <idNumber>     print the JSON POST /idcard/verify would answer
  admin …                      buyers, apps, call packages, the verification registry
                               (shiming admin help)
`;

/** Takes `--config <file>` / `--config=<file>` out of argv. */
function takeConfigFlag(argv: string[]): { file?: string; rest: string[] } {
  const rest: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config') file = argv[++i];
    else if (a.startsWith('--config=')) file = a.slice('--config='.length);
    else rest.push(a);
  }
  return { file, rest };
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger({ level: config.server.logLevel });
  const runtime = await openRuntime(config, { logger });
  const app = await buildServer({
    config,
    store: runtime.store,
    recognizer: runtime.recognizer,
    verification: runtime.verification,
    metrics: runtime.metrics,
    logger,
  });
  const address = await app.listen({ host: config.server.host, port: config.server.port });
  const base = address.replace('[::1]', 'localhost');
  process.stdout.write(`Shiming listening on ${base}\n`);
  if (config.demo.enabled && !config.storage.databaseUrl) {
    const demo = await ensureDemo(runtime.store, config);
    process.stdout.write(demoBanner(demo, base) + '\n');
  }
  // Expire unpaid orders, warn buyers whose packages are about to expire, drop dead sessions.
  const sweepNotifier = createNotifier(config.notify);
  const sweeps = startCommerceSweeps(runtime.store.db, { notifier: sweepNotifier, config: config.commerce }, {
    onError: (err) => logger.error({ err }, 'commerce sweep failed'),
  });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    sweeps.stop();
    sweepNotifier.close();
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function recognize(config: Config, args: string[]): Promise<number> {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: shiming recognize <image file> [--detail]\n');
    return 2;
  }
  const bytes = fs.readFileSync(file);
  const logger = createLogger({ level: 'error', destination: process.stderr });
  // The engine loads only once the image passes the format rules, and in this thread.
  const runtime = await openRuntime(config, { logger, recognition: false });
  let engine: Promise<Recognizer> | undefined;
  try {
    const answer = await answerCardImage(bytes, {
      recognizer: () => (engine ??= createRecognizer({ poolSize: 0 })),
      verification: runtime.verification,
      metrics: runtime.metrics,
      log: logger,
    }, { requestId: crypto.randomUUID().toUpperCase(), detail: args.includes('--detail') });
    process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
    return 0;
  } finally {
    await (await engine?.catch(() => undefined))?.close();
    await runtime.close();
  }
}

async function verify(config: Config, args: string[]): Promise<number> {
  const [name, idNumber] = args;
  if (name === undefined || idNumber === undefined) {
    process.stderr.write('usage: shiming verify <name> <idNumber>\n');
    return 2;
  }
  const logger = createLogger({ level: 'error', destination: process.stderr });
  const runtime = await openRuntime(config, { logger, recognition: false });
  try {
    const outcome = await checkIdentity(name, idNumber, { verification: runtime.verification, metrics: runtime.metrics });
    process.stdout.write(JSON.stringify(verifyAnswer(outcome.code, outcome.cert, crypto.randomUUID().toUpperCase()), null, 2) + '\n');
    return 0;
  } finally {
    await runtime.close();
  }
}

async function admin(args: string[], file: string | undefined): Promise<number> {
  if (file) process.env.SHIMING_CONFIG = file;
  if (args[0] === 'registry') {
    const config = loadConfig(process.env);
    const runtime = await openRuntime(config, { recognition: false, logger: createLogger({ level: 'error', destination: process.stderr }) });
    try {
      return await runRegistryAdmin(args.slice(1), { store: runtime.store, config });
    } finally {
      await runtime.close();
    }
  }
  return runAdmin(args);
}

export async function main(argv: string[]): Promise<number> {
  const { file, rest } = takeConfigFlag(argv);
  const [command, ...args] = rest;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'admin') return admin(args, file);
  let config: Config;
  try {
    config = loadConfig(process.env, file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`shiming: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  switch (command) {
    case 'serve':
      await serve(config);
      return -1; // keeps running
    case 'recognize':
      return recognize(config, args);
    case 'verify':
      return verify(config, args);
    default:
      process.stderr.write(`shiming: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`shiming: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
