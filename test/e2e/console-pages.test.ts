// The console's static pages: SPA fallback, the APIs' paths left alone, hashed assets cached for
// long, a CSP that allows only our own scripts, and nothing outside the build reachable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerConsolePages } from '../../src/http/console-pages.ts';

let dir: string;
let app: FastifyInstance;
const script = 'console.log("console app");'.repeat(20);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-web-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="/console/assets/index-AbC123.js"></script>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-AbC123.js'), script);
  fs.writeFileSync(path.join(dir, 'assets', 'font-1.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]));
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for the web');
  app = Fastify();
  app.get('/console/api/me', async () => ({ me: true }));
  await registerConsolePages(app, { distDir: dir, support: { hours: '9:30 到 22:30', phones: ['4008005185'] } });
  await app.ready();
});

after(async () => {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('every page path of both doors answers index.html under a CSP that allows only our scripts', async () => {
  for (const url of ['/console', '/console/', '/console/apps', '/console/products/idcard-ocr', '/admin', '/admin/invoices']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 200, url);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['cache-control'], 'no-cache');
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /(^|; )script-src 'self'(;|$)/);
    assert.match(csp, /(^|; )default-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.ok(res.body.includes('/console/assets/index-AbC123.js'));
  }
});

test('the APIs keep their paths: an unknown API path is a JSON 404, never the page', async () => {
  assert.deepEqual((await app.inject({ url: '/console/api/me' })).json(), { me: true });
  for (const url of ['/console/api/nope', '/admin/api/nope', '/console/api']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 404, url);
    assert.equal(res.json().error.code, 'not_found');
  }
});

test('hashed assets are cached for a year and sent gzipped when asked', async () => {
  const plain = await app.inject({ url: '/console/assets/index-AbC123.js' });
  assert.equal(plain.statusCode, 200);
  assert.equal(plain.body, script);
  assert.match(String(plain.headers['content-type']), /^text\/javascript/);
  assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
  const gz = await app.inject({ url: '/console/assets/index-AbC123.js', headers: { 'accept-encoding': 'gzip, br' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(zlib.gunzipSync(gz.rawPayload).toString(), script);
  assert.ok(gz.rawPayload.length < script.length);
  const font = await app.inject({ url: '/console/assets/font-1.woff2', headers: { 'accept-encoding': 'gzip' } });
  assert.equal(font.headers['content-type'], 'font/woff2');
  assert.equal(font.headers['content-encoding'], undefined, 'fonts are compressed already');
});

test('only files of the build are served: no traversal, no other files', async () => {
  for (const url of ['/console/assets/missing.js', '/console/assets/../secret.txt', '/console/assets/%2e%2e%2fsecret.txt', '/console/assets/..%2Fsecret.txt', '/console/secret.txt/..']) {
    const res = await app.inject({ url });
    assert.ok(!res.body.includes('not for the web'), url);
  }
  assert.equal((await app.inject({ url: '/console/assets/missing.js' })).statusCode, 404);
});

test('联系我们 comes from the options', async () => {
  const res = await app.inject({ url: '/console/support.json' });
  assert.deepEqual(res.json(), { hours: '9:30 到 22:30', phones: ['4008005185'] });
});

test('without a build the pages say how to make one', async () => {
  const bare = Fastify();
  await registerConsolePages(bare, { distDir: path.join(dir, 'nope') });
  const res = await bare.inject({ url: '/console/apps' });
  assert.equal(res.statusCode, 503);
  assert.match(res.body, /npm run build:web/);
  await bare.close();
});
