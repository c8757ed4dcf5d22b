// The benchmark's yardstick: a bare fastify route doing one SQLite transaction per call.
// Listens on 127.0.0.1:$PORT (0 = any), prints {"port": N}.
//
// BARE_MODE takes the yardstick apart, to see where its time goes (bench/gateway.ts
// --baselines): `fastify+sqlite` (default, the yardstick), `fastify` (the same route without
// the transaction), `http` (node:http alone, the same answer, no framework).
import http from 'node:http';
import Fastify from 'fastify';
import Database from 'better-sqlite3';

const mode = process.env.BARE_MODE ?? 'fastify+sqlite';
if (!['fastify+sqlite', 'fastify', 'http'].includes(mode)) throw new Error(`BARE_MODE ${mode}?`);

let tx: ((at: number) => unknown) | undefined;
if (mode === 'fastify+sqlite') {
  const db = new Database(process.env.SQLITE_FILE ?? ':memory:');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, n INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO calls (at, n) VALUES (?, ?)');
  tx = db.transaction((at: number) => insert.run(at, 1));
}
const cpu = () => {
  const u = process.cpuUsage();
  return { us: u.user + u.system };
};

let server: http.Server;
let close: () => Promise<void>;
if (mode === 'http') {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = req.url === '/_cpu' ? JSON.stringify(cpu()) : (JSON.parse(Buffer.concat(chunks).toString() || '{}'), JSON.stringify({ code: '01', msg: 'ok' }));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', r));
  close = () => new Promise((r) => server.close(() => r()));
} else {
  const app = Fastify({ logger: false });
  app.post('/idcard/verify', async () => {
    tx?.(Date.now());
    return { code: '01', msg: 'ok' };
  });
  app.get('/_cpu', async () => cpu());
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  server = app.server;
  close = () => app.close();
}
const address = server.address();
process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
process.on('SIGTERM', () => void close().then(() => process.exit(0)));
