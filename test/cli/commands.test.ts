// `shiming recognize`, `shiming verify` and `shiming admin registry` as a user runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'bin', 'shiming.js');
const cards = path.join(root, 'test', 'fixtures', 'cards');

function shiming(args: string[], dataDir: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, SHIMING_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

test('verify: registry import, then 01 with the seed cert, 02, 204; nothing but JSON on stdout', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-cli-'));
  try {
    const csv = path.join(dataDir, 'people.csv');
    fs.writeFileSync(csv, 'name,idNumber\n张三,522229198509112018\n');
    const imported = shiming(['admin', 'registry', 'import', csv], dataDir);
    assert.equal(imported.status, 0, imported.stderr);
    assert.ok(!imported.stdout.includes('张三') && !imported.stderr.includes('522229198509112018'));

    const ok = shiming(['verify', '张三', '522229198509112018'], dataDir);
    assert.equal(ok.status, 0, ok.stderr);
    const body = ok.json();
    assert.equal(body.code, '01');
    assert.equal(body.msg, '实名认证通过!');
    assert.deepEqual(body.cert, { idCard: '522229198509112018', name: '张三', sex: '男', area: '贵州省松桃苗族自治县', province: '贵州省', city: '', prefecture: '松桃苗族自治县', birthday: '1985-09-11', addrCode: '522229', lastCode: '8' });
    assert.equal(shiming(['verify', '李四', '522229198509112018'], dataDir).json().code, '02');
    assert.equal(shiming(['verify', 'Li Si', '522229198509112018'], dataDir).json().code, '204');
    const usage = shiming(['verify', '张三'], dataDir);
    assert.equal(usage.status, 2);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('recognize: prints what /OcridCard would answer for a real card, a truncated file and random bytes', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-cli-'));
  try {
    const truth = (JSON.parse(fs.readFileSync(path.join(cards, 'truth.json'), 'utf8')) as Array<{ file: string; front?: { idCard: string; birthday: string } }>)
      .find((t) => t.file === 'front-clean-1.jpg')!;
    const read = shiming(['recognize', path.join(cards, 'front-clean-1.jpg')], dataDir);
    assert.equal(read.status, 0, read.stderr);
    const body = read.json();
    assert.equal(body.code, '202', 'read, valid, but not in the (empty) registry');
    assert.equal(body.ocr.idCard, truth.front!.idCard);
    assert.equal(body.ocr.birthday, truth.front!.birthday);
    assert.match(body.requestId, /^[0-9A-F-]{36}$/);

    const jpeg = fs.readFileSync(path.join(cards, 'front-clean-1.jpg'));
    const truncated = path.join(dataDir, 'truncated.jpg');
    fs.writeFileSync(truncated, jpeg.subarray(0, 2000));
    assert.deepEqual(Object.entries(shiming(['recognize', truncated], dataDir).json()).slice(0, 2), [['code', '-3'], ['msg', '图像无法加载']]);
    const random = path.join(dataDir, 'random.bin');
    fs.writeFileSync(random, Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 7919) % 251)));
    assert.equal(shiming(['recognize', random], dataDir).json().code, '-2');
    assert.equal(shiming(['recognize'], dataDir).status, 2);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('unknown command and help', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-cli-'));
  try {
    const bad = shiming(['frobnicate'], dataDir);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown command "frobnicate"/);
    const help = shiming(['help'], dataDir);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /recognize <file>/);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
