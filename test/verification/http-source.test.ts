import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { openStore, type Store } from '../../src/store/index.ts';
import {
  createVerificationSource,
  parseHttpSourceSettings,
  HTTP_SOURCE_DEFAULTS,
  VerificationUnavailable,
  type HttpSourceConfig,
  type SourceErrorEvent,
  type VerificationSettings,
} from '../../src/verification/index.ts';

// A stand-in for the upstream authority: answers per `behaviour`, records every request.
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Behaviour = (req: Seen, res: http.ServerResponse) => void;

let server: http.Server;
let base = '';
let behaviour: Behaviour = () => {};
let seen: Seen[] = [];
// the http source never touches the database; an unmigrated in-memory store satisfies the type
let store: Store;

const PEOPLE: Record<string, string> = { '522229198509112018': '张三' };
const json = (res: http.ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof value === 'string' ? value : JSON.stringify(value));
};
/** the authority's rules: 1 same, 2 different, 3 no such number */
const authority: Behaviour = (req, res) => {
  const { certName, certNo } = JSON.parse(req.body) as { certName: string; certNo: string };
  const known = PEOPLE[certNo];
  json(res, 200, { code: 0, data: { result: known === undefined ? 3 : known === certName ? 1 : 2 } });
};

before(async () => {
  store = openStore({});
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      behaviour(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
});

function settings(http: Partial<HttpSourceConfig> = {}, cacheTtlMs = 0): VerificationSettings {
  return {
    verification: {
      source: 'http',
      hmacKey: 'c'.repeat(64),
      cacheTtlMs,
      http: {
        url: `${base}/verify`,
        method: 'POST',
        headers: { authorization: 'Bearer test-token' },
        body: { certName: '{name}', certNo: '{idNumber}', meta: ['{idNumber}', 7] },
        response: { path: 'data.result', match: [1], mismatch: [2], unknown: [3] },
        timeoutMs: 10_000, // generous: a loaded CI machine must not turn other cases into timeouts
        retries: 2,
        backoffMs: 5,
        breakerFailureThreshold: 3,
        breakerCooldownMs: 10_000,
        ...http,
      },
    },
  };
}

function reset(b: Behaviour): void {
  behaviour = b;
  seen = [];
}

const isUnavailable = (reason: string) => (err: unknown) => {
  assert.ok(err instanceof VerificationUnavailable, String(err));
  assert.equal(err.code, '203');
  assert.equal(err.reason, reason);
  assert.ok(!err.message.includes('522229198509112018') && !err.message.includes('张三'), 'no PII in the message');
  return true;
};

test('match, mismatch and unknown from the upstream answer; request built from the template', async () => {
  reset(authority);
  const source = createVerificationSource(store, settings());
  assert.equal(source.kind, 'http');
  assert.equal(await source.verify({ name: '张三', idNumber: '522229198509112018' }), 'match');
  assert.equal(await source.verify({ name: '李四', idNumber: '522229198509112018' }), 'mismatch');
  assert.equal(await source.verify({ name: '张三', idNumber: '11010119900101123x' }), 'unknown');
  assert.equal(seen.length, 3);
  assert.equal(seen[0]!.method, 'POST');
  assert.equal(seen[0]!.url, '/verify');
  assert.equal(seen[0]!.headers.authorization, 'Bearer test-token');
  assert.match(String(seen[0]!.headers['content-type']), /application\/json/);
  assert.deepEqual(JSON.parse(seen[0]!.body), { certName: '张三', certNo: '522229198509112018', meta: ['522229198509112018', 7] });
  // the number is sent normalised: upper-case X
  assert.equal(JSON.parse(seen[2]!.body).certNo, '11010119900101123X');
});

test('GET with URL placeholders, string-valued mapping at a nested path', async () => {
  reset((req, res) => {
    const u = new URL(req.url, 'http://x');
    const ok = PEOPLE[u.searchParams.get('no')!] === u.searchParams.get('name');
    json(res, 200, { results: [{ verdict: ok ? 'SAME' : 'DIFF' }] });
  });
  const source = createVerificationSource(store, settings({
    method: 'GET',
    url: `${base}/check?name={name}&no={idNumber}`,
    body: undefined,
    response: { path: 'results.0.verdict', match: ['SAME'], mismatch: ['DIFF'], unknown: ['NONE'] },
  }));
  assert.equal(await source.verify({ name: '张三', idNumber: '522229198509112018' }), 'match');
  assert.equal(await source.verify({ name: '张&三', idNumber: '522229198509112018' }), 'mismatch');
  assert.equal(seen[0]!.body, '');
  assert.equal(new URL(seen[1]!.url, 'http://x').searchParams.get('name'), '张&三', 'placeholders are URL-encoded');
});

test('a 500 is retried with backoff and the retry answers', async () => {
  let calls = 0;
  reset((req, res) => (++calls === 1 ? json(res, 500, { error: 'busy' }) : authority(req, res)));
  const source = createVerificationSource(store, settings());
  assert.equal(await source.verify({ name: '张三', idNumber: '522229198509112018' }), 'match');
  assert.equal(seen.length, 2);
});

test('5xx on every attempt: retries+1 requests, then unavailable', async () => {
  reset((_req, res) => json(res, 503, 'down'));
  const errors: SourceErrorEvent[] = [];
  const source = createVerificationSource(store, settings({ retries: 2 }), { onSourceError: (e) => errors.push(e) });
  await assert.rejects(source.verify({ name: '张三', idNumber: '522229198509112018' }), isUnavailable('http-status'));
  assert.equal(seen.length, 3);
  assert.deepEqual(errors, [{ source: 'http', reason: 'http-status' }]);
});

test('a 4xx is not retried', async () => {
  reset((_req, res) => json(res, 401, { error: 'bad token' }));
  const source = createVerificationSource(store, settings());
  await assert.rejects(source.verify({ name: '张三', idNumber: '522229198509112018' }), isUnavailable('http-status'));
  assert.equal(seen.length, 1);
});

test('no answer within the timeout -> unavailable (not retried)', async () => {
  reset(() => {}); // never answers
  const source = createVerificationSource(store, settings({ timeoutMs: 150 }));
  const started = Date.now();
  await assert.rejects(source.verify({ name: '张三', idNumber: '522229198509112018' }), isUnavailable('timeout'));
  assert.ok(Date.now() - started < 5000, "one attempt, not the 10 s default nor retries");
  assert.equal(seen.length, 1);
});

test('a body that stalls after the headers -> timeout', async () => {
  reset((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"data":');
  });
  const source = createVerificationSource(store, settings({ timeoutMs: 150 }));
  await assert.rejects(source.verify({ name: '张三', idNumber: '522229198509112018' }), isUnavailable('timeout'));
});

test('malformed JSON, an unmapped value, an oversized body -> unavailable', async () => {
  const cases: Array<[Behaviour, string]> = [
    [(_q, res) => json(res, 200, '{"data": {"result": 1'), 'bad-response'],
    [(_q, res) => json(res, 200, '<html>gateway</html>'), 'bad-response'],
    [(_q, res) => json(res, 200, { data: { result: 9 } }), 'bad-response'],
    [(_q, res) => json(res, 200, { data: {} }), 'bad-response'],
    [(_q, res) => json(res, 200, { data: { result: [1] } }), 'bad-response'],
    [(_q, res) => json(res, 200, { data: { result: 1, pad: 'x'.repeat(5000) } }), 'bad-response'],
  ];
  for (const [b, reason] of cases) {
    reset(b);
    const source = createVerificationSource(store, settings({ maxResponseBytes: 4096 }));
    await assert.rejects(source.verify({ name: '张三', idNumber: '522229198509112018' }), isUnavailable(reason));
    assert.equal(seen.length, 1, 'not retried');
  }
});

test('a refused connection is a network error, retried, then unavailable', async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const errors: SourceErrorEvent[] = [];
  const source = createVerificationSource(store, settings({ url: `http://127.0.0.1:${port}/verify`, retries: 1 }), { onSourceError: (e) => errors.push(e) });
  await assert.rejects(source.verify({ name: '张三', idNumber: '522229198509112018' }), isUnavailable('network'));
  assert.deepEqual(errors, [{ source: 'http', reason: 'network' }]);
});

test('the breaker opens after N consecutive failures, fails fast, and recovers after the cool-down', async () => {
  let healthy = false;
  reset((req, res) => (healthy ? authority(req, res) : json(res, 500, 'down')));
  let clock = 5_000_000;
  const errors: SourceErrorEvent[] = [];
  const source = createVerificationSource(store, settings({ retries: 0, breakerFailureThreshold: 3, breakerCooldownMs: 10_000 }), {
    now: () => clock,
    onSourceError: (e) => errors.push(e),
  });
  const claim = { name: '张三', idNumber: '522229198509112018' };
  for (let i = 0; i < 3; i++) await assert.rejects(source.verify(claim), isUnavailable('http-status'));
  assert.equal(source.breakerState, 'open');
  assert.equal(seen.length, 3);
  healthy = true;
  await assert.rejects(source.verify(claim), isUnavailable('breaker-open'));
  assert.equal(seen.length, 3, 'no request while open');

  // half-open: one trial; a failing trial re-opens for another cool-down
  healthy = false;
  clock += 10_000;
  assert.equal(source.breakerState, 'half-open');
  await assert.rejects(source.verify(claim), isUnavailable('http-status'));
  assert.equal(seen.length, 4);
  assert.equal(source.breakerState, 'open');
  clock += 9_999;
  await assert.rejects(source.verify(claim), isUnavailable('breaker-open'));
  assert.equal(seen.length, 4);

  // a successful trial closes it
  healthy = true;
  clock += 1;
  assert.equal(await source.verify(claim), 'match');
  assert.equal(source.breakerState, 'closed');
  assert.equal(await source.verify({ name: '李四', idNumber: claim.idNumber }), 'mismatch');
  assert.equal(seen.length, 6);
  assert.deepEqual(errors.map((e) => e.reason), ['http-status', 'http-status', 'http-status', 'breaker-open', 'http-status', 'breaker-open']);
});

test('half-open lets exactly one trial through at a time', async () => {
  let release: () => void = () => {};
  let failing = true;
  reset((req, res) => {
    if (failing) return json(res, 500, 'down');
    release = () => authority(req, res);
  });
  let clock = 0;
  const source = createVerificationSource(store, settings({ retries: 0, breakerFailureThreshold: 1, breakerCooldownMs: 1000 }), { now: () => clock });
  const claim = { name: '张三', idNumber: '522229198509112018' };
  await assert.rejects(source.verify(claim), isUnavailable('http-status'));
  failing = false;
  clock += 1000;
  const trial = source.verify(claim);
  // wait until the trial request is held by the server (not a fixed delay: CI may be slow)
  while (seen.length < 2) await new Promise((r) => setTimeout(r, 5));
  await assert.rejects(source.verify(claim), isUnavailable('breaker-open'));
  release();
  assert.equal(await trial, 'match');
  assert.equal(source.breakerState, 'closed');
});

test('the cache spares the upstream, expires with the TTL, and never keeps a failure', async () => {
  let down = true;
  reset((req, res) => (down ? json(res, 500, 'down') : authority(req, res)));
  let clock = 0;
  const source = createVerificationSource(store, settings({ retries: 0 }, 30_000), { now: () => clock });
  const claim = { name: '张三', idNumber: '522229198509112018' };
  await assert.rejects(source.verify(claim), isUnavailable('http-status'));
  assert.equal(source.cachedResults, 0);
  down = false;
  assert.equal(await source.verify(claim), 'match');
  assert.equal(await source.verify({ name: ' 张三', idNumber: claim.idNumber }), 'match');
  assert.equal(seen.length, 2, 'second answer (same identity after normalisation) came from the cache');
  clock += 30_000;
  assert.equal(await source.verify(claim), 'match');
  assert.equal(seen.length, 3, 'asked again after the TTL');
  // concurrent asks for one identity share one request
  clock += 30_000;
  const answers = await Promise.all([source.verify(claim), source.verify(claim), source.verify(claim)]);
  assert.deepEqual(answers, ['match', 'match', 'match']);
  assert.equal(seen.length, 4);
});

test('an http source without url or mapping is refused at creation', () => {
  assert.throws(() => createVerificationSource(store, { verification: { source: 'http', hmacKey: 'c'.repeat(64), cacheTtlMs: 0 } }), /verification.http .*required/);
  assert.throws(() => createVerificationSource(store, settings({ url: 'ftp://x/y' })), /url: must be an http:\/\/ or https:\/\/ URL/);
});

test('parseHttpSourceSettings fills defaults and lists every problem', () => {
  const ok = parseHttpSourceSettings({ url: 'https://authority.example/v1/check', response: { path: 'r', match: ['1'], mismatch: ['2'], unknown: ['3'] } });
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.settings?.method, 'POST');
  assert.equal(ok.settings?.timeoutMs, HTTP_SOURCE_DEFAULTS.timeoutMs);
  assert.equal(ok.settings?.breakerFailureThreshold, HTTP_SOURCE_DEFAULTS.breakerFailureThreshold);
  const bad = parseHttpSourceSettings({
    url: 'localhost/x', method: 'DELETE', headers: { a: 1 }, retries: -1, timeoutMs: 1.5, colour: 'red',
    response: { path: '', match: [{}], mismatch: ['2'], unknown: ['2'] },
  });
  assert.equal(bad.settings, undefined);
  assert.deepEqual(bad.problems.sort(), [
    'colour: unknown setting',
    'headers: must be an object of strings',
    'method: must be GET, POST or PUT',
    'response.match: must be a list of strings, numbers or booleans',
    'response.path: must be a dotted path such as data.result',
    'retries: must be a whole number from 0 to 10',
    'timeoutMs: must be a whole number from 50 to 120000',
    'url: must be an http:// or https:// URL',
  ]);
  assert.deepEqual(parseHttpSourceSettings({ url: 'http://a/b', response: { path: 'p', match: [1], mismatch: ['1'], unknown: [] } }).problems,
    ['response: value "1" is in both match and mismatch']);
  assert.deepEqual(parseHttpSourceSettings('x').problems, ['must be an object with url and response']);
});
