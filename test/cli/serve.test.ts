// `node bin/shiming.js serve` as a user starts it: a temp data dir, a free port, real calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'shiming.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function startServe(env: Record<string, string>): { child: ChildProcess; output: () => string; waitFor: (re: RegExp, ms?: number) => Promise<RegExpMatchArray> } {
  const child = spawn(process.execPath, [bin, 'serve'], { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  return {
    child,
    output: () => out,
    waitFor: (re, ms = 60_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output:\n${out}`)), ms);
      const check = () => {
        const m = out.match(re);
        if (m) {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve(m);
        }
      };
      child.stdout!.on('data', check);
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
      check();
    }),
  };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

test('serve: demo AppCode printed, README curl flow answers 01, restart keeps the same demo', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-serve-'));
  const port = await freePort();
  const env = { SHIMING_DATA_DIR: dataDir, PORT: String(port), SHIMING_RECOGNITION_POOL_SIZE: '0' };
  let run = startServe(env);
  try {
    const [, appCode] = await run.waitFor(/Demo AppCode: ([A-Za-z0-9]+)/);
    const base = `http://127.0.0.1:${port}`;
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);

    const verify = (code: string) => fetch(`${base}/idcard/verify`, {
      method: 'POST',
      headers: { authorization: `APPCODE ${code}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: '张三', idCard: '522229198509112018' }),
    });
    const res = await verify(appCode!);
    assert.equal(res.status, 200);
    const body = await res.json() as { code: string; cert: Record<string, string> };
    assert.equal(body.code, '01');
    assert.deepEqual(body.cert, { idCard: '522229198509112018', name: '张三', sex: '男', area: '贵州省松桃苗族自治县', province: '贵州省', city: '', prefecture: '松桃苗族自治县', birthday: '1985-09-11', addrCode: '522229', lastCode: '8' });

    // The README's curl: the seed card's picture, form-urlencoded base64, the demo AppCode.
    const card = fs.readFileSync(path.join(root, 'docs', 'seed-card.jpg')).toString('base64');
    const ocr = await fetch(`${base}/OcridCard`, {
      method: 'POST',
      headers: { authorization: `APPCODE ${appCode}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ image: card }),
    });
    const read = await ocr.json() as Record<string, unknown>;
    assert.deepEqual(read, {
      code: '01',
      msg: '实名认证通过!',
      ocr: { address: '贵州省松桃苗族自治县真旗屯村湾头组', birthday: '19850911', name: '张三', idCard: '522229198509112018', sex: '男', nation: '汉' },
      cert: body.cert,
      requestId: ocr.headers.get('x-ca-request-id'),
    });

    const refused = await verify('0000000000000000000000');
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.get('x-ca-error-message'), 'Invalid AppCode `not exists`');

    const secrets = fs.statSync(path.join(dataDir, 'secrets.json'));
    assert.equal(secrets.mode & 0o777, 0o600);
    assert.equal(await stop(run.child), 0);

    run = startServe(env);
    const [, again] = await run.waitFor(/Demo AppCode: ([A-Za-z0-9]+)/);
    assert.equal(again, appCode, 'the same demo app after a restart');
    assert.equal((await verify(appCode!)).status, 200);
  } finally {
    await stop(run.child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('serve: SHIMING_DEMO_APPCODE fixes the AppCode; a bad PORT stops the start with a clear message', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-serve-'));
  try {
    const bad = spawnSync(process.execPath, [bin, 'serve'], { cwd: root, env: { ...process.env, SHIMING_DATA_DIR: dataDir, PORT: 'http' }, encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /PORT="http" \(server\.port\): must be a whole number/);

    const port = await freePort();
    const fixed = 'DemoAppCode0123456789abcdef';
    const run = startServe({ SHIMING_DATA_DIR: dataDir, PORT: String(port), SHIMING_DEMO_APPCODE: fixed, SHIMING_RECOGNITION_POOL_SIZE: '0' });
    try {
      const [, printed] = await run.waitFor(/Demo AppCode: ([A-Za-z0-9]+)/);
      assert.equal(printed, fixed);
      const res = await fetch(`http://127.0.0.1:${port}/idcard/verify`, {
        method: 'POST',
        headers: { authorization: `APPCODE ${fixed}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: '李四', idCard: '522229198509112018' }),
      });
      assert.equal(((await res.json()) as { code: string }).code, '02');
    } finally {
      await stop(run.child);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
