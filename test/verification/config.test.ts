import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError } from '../../src/config.ts';

const KEYS = { SHIMING_HMAC_KEY: 'd'.repeat(64), SHIMING_SECRET_KEY: 'e'.repeat(64) };
const HTTP = {
  url: 'https://authority.example/v1/check',
  headers: { authorization: 'Bearer t' },
  body: { name: '{name}', id: '{idNumber}' },
  response: { path: 'data.result', match: [1], mismatch: [2], unknown: [3] },
  retries: 1,
};

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'shiming-vcfg-'));
}

test('verification.http from env JSON and from the config file, with defaults', () => {
  const fromEnv = loadConfig({ ...KEYS, SHIMING_DATA_DIR: tempDir(), SHIMING_VERIFICATION_SOURCE: 'http', SHIMING_VERIFICATION_HTTP: JSON.stringify(HTTP) });
  assert.equal(fromEnv.verification.source, 'http');
  assert.equal(fromEnv.verification.http?.url, HTTP.url);
  assert.equal(fromEnv.verification.http?.retries, 1);
  assert.equal(fromEnv.verification.http?.method, 'POST');
  assert.equal(fromEnv.verification.cacheMaxEntries, 100_000);

  const dir = tempDir();
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({ verification: { source: 'http', http: { ...HTTP, timeoutMs: 800 }, cacheMaxEntries: 50 } }));
  const fromFile = loadConfig({ ...KEYS, SHIMING_DATA_DIR: dir }, file);
  assert.equal(fromFile.verification.http?.timeoutMs, 800);
  assert.deepEqual(fromFile.verification.http?.body, HTTP.body);
  assert.equal(fromFile.verification.cacheMaxEntries, 50);
});

test('bad verification.http settings are reported, each by field', () => {
  const problemsOf = (env: Record<string, string>): string => {
    try {
      loadConfig({ ...KEYS, SHIMING_DATA_DIR: tempDir(), ...env });
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.problems.join('\n');
    }
    assert.fail('expected a ConfigError');
  };
  assert.match(problemsOf({ SHIMING_VERIFICATION_HTTP: '{not json' }), /SHIMING_VERIFICATION_HTTP.*must be JSON/);
  const text = problemsOf({ SHIMING_VERIFICATION_HTTP: JSON.stringify({ ...HTTP, url: 'nope', retries: 99 }) });
  assert.match(text, /verification\.http\.url.*must be an http/);
  assert.match(text, /verification\.http\.retries.*from 0 to 10/);
  assert.match(problemsOf({ SHIMING_VERIFICATION_CACHE_MAX_ENTRIES: '0' }), /cacheMaxEntries.*must be a whole number/);
});
