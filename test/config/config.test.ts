import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError } from '../../src/config.ts';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-config-'));
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected loadConfig to throw');
}

test('defaults: 127.0.0.1:8080, SQLite in ./data, registry source', () => {
  const dir = tempDir();
  const config = loadConfig({ SHIMING_DATA_DIR: dir });
  assert.equal(config.server.host, '127.0.0.1');
  assert.equal(config.server.port, 8080);
  assert.ok(config.server.bodyLimitBytes >= 8 * 1024 * 1024);
  assert.equal(config.storage.dataDir, dir);
  assert.equal(config.storage.databaseUrl, undefined);
  assert.equal(config.storage.sqlitePath, path.join(dir, 'shiming.sqlite'));
  assert.equal(config.verification.source, 'registry');
  assert.equal(config.demo.appCode, undefined);
  assert.deepEqual(config.images.allowedHosts, []);
  assert.equal(path.resolve('./data'), loadConfig({ SHIMING_HMAC_KEY: 'a'.repeat(64), SHIMING_SECRET_KEY: 'b'.repeat(64) }).storage.dataDir);
});

test('env values are parsed and typed', () => {
  const dir = tempDir();
  const config = loadConfig({
    SHIMING_DATA_DIR: dir, HOST: '0.0.0.0', PORT: '9123', SHIMING_DEMO_APPCODE: 'abcdef0123456789abcdef',
    DATABASE_URL: 'postgres://u:p@localhost/db', SHIMING_IMAGE_ALLOWED_HOSTS: 'a.example, b.example',
    SHIMING_VERIFICATION_SOURCE: 'http', SHIMING_TRUST_PROXY: 'yes',
  });
  assert.equal(config.server.host, '0.0.0.0');
  assert.equal(config.server.port, 9123);
  assert.equal(config.server.trustProxy, true);
  assert.equal(config.demo.appCode, 'abcdef0123456789abcdef');
  assert.equal(config.storage.databaseUrl, 'postgres://u:p@localhost/db');
  assert.deepEqual(config.images.allowedHosts, ['a.example', 'b.example']);
  assert.equal(config.verification.source, 'http');
});

test('bad values are all reported, each naming its setting', () => {
  const problems = problemsOf(() => loadConfig({
    SHIMING_DATA_DIR: tempDir(), PORT: 'eighty', SHIMING_VERIFICATION_SOURCE: 'oracle', DATABASE_URL: 'mysql://x',
    SHIMING_DEMO_APPCODE: 'short', SHIMING_HMAC_KEY: 'nothex', SHIMING_TRUST_PROXY: 'maybe',
  }));
  const text = problems.join('\n');
  assert.match(text, /PORT="eighty" \(server\.port\): must be a whole number from 0 to 65535/);
  assert.match(text, /SHIMING_VERIFICATION_SOURCE="oracle".*must be one of registry, http/);
  assert.match(text, /DATABASE_URL.*postgres/);
  assert.match(text, /SHIMING_DEMO_APPCODE.*16 to 64/);
  assert.match(text, /SHIMING_HMAC_KEY.*64 hex/);
  assert.match(text, /SHIMING_TRUST_PROXY.*true or false/);
  assert.equal(problems.length, 6);
});

test('port out of range is refused', () => {
  assert.match(problemsOf(() => loadConfig({ SHIMING_DATA_DIR: tempDir(), PORT: '70000' })).join(), /PORT="70000"/);
  assert.match(problemsOf(() => loadConfig({ SHIMING_DATA_DIR: tempDir(), PORT: '-1' })).join(), /PORT="-1"/);
});

test('config file is merged under env; unknown keys and bad JSON are errors', () => {
  const dir = tempDir();
  const file = path.join(dir, 'shiming.json');
  fs.writeFileSync(file, JSON.stringify({ server: { port: 7000, host: '10.0.0.1' }, images: { allowedHosts: ['img.local'] } }));
  const config = loadConfig({ SHIMING_DATA_DIR: dir, PORT: '7001' }, file);
  assert.equal(config.server.port, 7001, 'env wins over the file');
  assert.equal(config.server.host, '10.0.0.1');
  assert.deepEqual(config.images.allowedHosts, ['img.local']);
  assert.equal(loadConfig({ SHIMING_DATA_DIR: dir, SHIMING_CONFIG: file }).server.port, 7000);

  fs.writeFileSync(file, JSON.stringify({ server: { prot: 1, port: 'x' } }));
  const text = problemsOf(() => loadConfig({ SHIMING_DATA_DIR: dir }, file)).join('\n');
  assert.match(text, /server\.prot in .*shiming\.json: unknown setting/);
  assert.match(text, /server\.port="x" in .*must be a whole number/);

  fs.writeFileSync(file, '{ nope');
  assert.match(problemsOf(() => loadConfig({ SHIMING_DATA_DIR: dir }, file)).join(), /not valid JSON/);
  assert.match(problemsOf(() => loadConfig({ SHIMING_DATA_DIR: dir }, path.join(dir, 'missing.json'))).join(), /cannot be read \(ENOENT\)/);
});

test('secrets are generated once into dataDir/secrets.json with mode 600 and reused', () => {
  const dir = tempDir();
  const first = loadConfig({ SHIMING_DATA_DIR: dir });
  assert.match(first.verification.hmacKey, /^[0-9a-f]{64}$/);
  assert.match(first.gateway.secretKey, /^[0-9a-f]{64}$/);
  assert.notEqual(first.verification.hmacKey, first.gateway.secretKey);
  const stat = fs.statSync(path.join(dir, 'secrets.json'));
  assert.equal(stat.mode & 0o777, 0o600);
  const second = loadConfig({ SHIMING_DATA_DIR: dir });
  assert.equal(second.verification.hmacKey, first.verification.hmacKey);
  assert.equal(second.gateway.secretKey, first.gateway.secretKey);
  const configured = loadConfig({ SHIMING_DATA_DIR: dir, SHIMING_HMAC_KEY: 'c'.repeat(64) });
  assert.equal(configured.verification.hmacKey, 'c'.repeat(64));
  assert.equal(configured.gateway.secretKey, first.gateway.secretKey);
});

test('联系我们 (SHIMING_SUPPORT) is read as JSON and checked', () => {
  const dataDir = tempDir();
  const support = { company: '示例数据', hours: '9:30 到 22:30', phones: ['4008005185'], emails: ['support@example.test'], channels: [{ name: 'QQ', value: '469344382' }] };
  assert.deepEqual(loadConfig({ SHIMING_DATA_DIR: dataDir, SHIMING_SUPPORT: JSON.stringify(support) }).commerce.support, support);
  assert.equal(loadConfig({ SHIMING_DATA_DIR: dataDir }).commerce.support, undefined);
  for (const bad of ['[1,2]', '{"phones": "4008005185"}', '{"script": "<x>"}', `{"note": "${'长'.repeat(201)}"}`, 'not json']) {
    const problems = problemsOf(() => loadConfig({ SHIMING_DATA_DIR: dataDir, SHIMING_SUPPORT: bad }));
    assert.equal(problems.length, 1, bad);
    assert.match(problems[0]!, /SHIMING_SUPPORT/);
  }
});

test('the SMTP relay certificate is checked unless the operator says otherwise', () => {
  const dataDir = tempDir();
  assert.equal(loadConfig({ SHIMING_DATA_DIR: dataDir }).notify.smtpVerifyCertificate, true);
  assert.equal(loadConfig({ SHIMING_DATA_DIR: dataDir, SHIMING_SMTP_VERIFY_CERTIFICATE: 'false' }).notify.smtpVerifyCertificate, false);
  assert.equal(problemsOf(() => loadConfig({ SHIMING_DATA_DIR: dataDir, SHIMING_SMTP_VERIFY_CERTIFICATE: 'maybe' })).length, 1);
});

test('recognition threads per worker (SHIMING_RECOGNITION_THREADS) default to 1 and are bounded', () => {
  const dataDir = tempDir();
  assert.equal(loadConfig({ SHIMING_DATA_DIR: dataDir }).recognition.threads, 1);
  assert.equal(loadConfig({ SHIMING_DATA_DIR: dataDir, SHIMING_RECOGNITION_THREADS: '2' }).recognition.threads, 2);
  for (const bad of ['0', '17', '1.5', 'two', '99999999999999999999', '2; rm -rf /']) {
    const problems = problemsOf(() => loadConfig({ SHIMING_DATA_DIR: dataDir, SHIMING_RECOGNITION_THREADS: bad }));
    assert.equal(problems.length, 1, bad);
    assert.match(problems[0]!, /SHIMING_RECOGNITION_THREADS/);
  }
});
