// The benchmark's yardstick: a bare fastify route doing one SQLite transaction per call.
// Listens on 127.0.0.1:$PORT (0 = any), prints {"port": N}.
import Fastify from 'fastify';
import Database from 'better-sqlite3';

const db = new Database(process.env.SQLITE_FILE ?? ':memory:');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, n INTEGER NOT NULL)');
const insert = db.prepare('INSERT INTO calls (at, n) VALUES (?, ?)');
const tx = db.transaction((at: number) => insert.run(at, 1));

const app = Fastify({ logger: false });
app.post('/idcard/verify', async () => {
  tx(Date.now());
  return { code: '01', msg: 'ok' };
});
app.get('/_cpu', async () => {
  const u = process.cpuUsage();
  return { us: u.user + u.system };
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
const address = app.server.address();
process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
