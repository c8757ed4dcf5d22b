import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './harness.ts';
import { pngOf } from './images.ts';
import { parseJsonWithDepthLimit, JsonTooDeep } from '../../src/http/json.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

test('healthz answers ok with a request id in header and body', async () => {
  const res = await h.app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(res.statusCode, 200);
  const id = res.headers['x-ca-request-id'];
  assert.match(String(id), /^[0-9A-F-]{36}$/);
  assert.deepEqual(res.json(), { status: 'ok', requestId: id });
  const again = await h.app.inject({ method: 'GET', url: '/healthz' });
  assert.notEqual(again.headers['x-ca-request-id'], id, 'each call gets its own id');
});

test('a client-sent request id is not trusted', async () => {
  const res = await h.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-ca-request-id': 'forged' } });
  assert.notEqual(res.headers['x-ca-request-id'], 'forged');
});

test('unknown path or method answers 400 Invalid Url as the gateway does', async () => {
  for (const [method, url] of [['GET', '/nope'], ['POST', '/ocridcard/x'], ['GET', '/OcridCard'], ['DELETE', '/healthz']] as const) {
    const res = await h.app.inject({ method, url });
    assert.equal(res.statusCode, 400, `${method} ${url}`);
    assert.equal(res.headers['x-ca-error-message'], 'Invalid Url');
    assert.equal(res.headers['x-ca-error-code'], 'InvalidUrl');
    assert.equal(res.json().requestId, res.headers['x-ca-request-id']);
  }
});

test('readyz reports the database and a missing recognizer', async () => {
  const res = await h.app.inject({ method: 'GET', url: '/readyz' });
  const body = res.json();
  assert.equal(body.checks.database, 'ok');
  assert.equal(body.checks.recognizer, 'absent');
  assert.equal(res.statusCode, 503);
});

test('readyz is ready once a recognizer is loaded', async () => {
  const fake = { read: async () => ({ side: 'none' as const, timings: {} }), queueLength: () => 3, close: async () => {} };
  const h2 = await startHarness({ recognizer: Promise.resolve(fake) });
  try {
    const res = await h2.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().checks, { database: 'ok', recognizer: 'ready' });
    const metrics = await h2.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /^shiming_recognition_queue_length 3$/m);
  } finally {
    await h2.close();
  }
});

test('metrics count calls by route and code and time them', async () => {
  await h.app.inject({ method: 'GET', url: '/healthz' });
  await h.app.inject({ method: 'GET', url: '/nope' });
  const res = await h.app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /text\/plain/);
  assert.match(res.body, /shiming_calls_total\{route="\/healthz",code="200"\} \d+/);
  assert.match(res.body, /shiming_calls_total\{route="unmatched",code="400"\} \d+/);
  assert.match(res.body, /shiming_request_duration_seconds_bucket\{le="0.005",route="\/healthz"\}/);
  assert.match(res.body, /# TYPE shiming_recognition_stage_seconds histogram/);
  assert.match(res.body, /# TYPE shiming_verification_source_errors_total counter/);
  assert.match(res.body, /# TYPE shiming_unknown_region_total counter/);
});

test('JSON depth guard: refuses deep nesting before parsing, ignores brackets inside strings', () => {
  assert.throws(() => parseJsonWithDepthLimit('['.repeat(100_000) + ']'.repeat(100_000), 32), JsonTooDeep);
  assert.throws(() => parseJsonWithDepthLimit('{"a":'.repeat(33) + '1' + '}'.repeat(33), 32), JsonTooDeep);
  assert.deepEqual(parseJsonWithDepthLimit('{"image":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"["}', 2), { image: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["[' });
  assert.equal(parseJsonWithDepthLimit('  ', 2), undefined);
  assert.deepEqual(parseJsonWithDepthLimit('{"__proto__":{"x":1},"a":1}', 4), { a: 1 });
});

test('openapi.json documents both public routes, every result code with an example, and the gateway errors', async () => {
  const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json();
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(Object.keys(doc.paths).sort(), ['/OcridCard', '/idcard/verify']);
  const ocr = doc.paths['/OcridCard'].post;
  assert.ok(ocr.requestBody.content['application/x-www-form-urlencoded'].schema.properties.image);
  assert.ok(ocr.requestBody.content['multipart/form-data']);
  assert.equal(ocr.parameters[0].name, 'detail');
  const examples = ocr.responses['200'].content['application/json'].examples;
  assert.deepEqual(Object.keys(examples).sort(), ['-1', '-2', '-3', '-4', '-5', '01', '02', '202', '203', '204', '205'].sort());
  assert.equal(examples['01'].value.cert.prefecture, '松桃苗族自治县');
  assert.equal(examples['-4'].value.msg, '图像识别失败');
  assert.ok(ocr.responses['413'] && ocr.responses['400'] && ocr.responses['403']);
  const verify = doc.paths['/idcard/verify'].post.responses['200'].content['application/json'].examples;
  assert.deepEqual(Object.keys(verify).sort(), ['01', '02', '202', '203', '204', '205'].sort());
});

test('readyz says loading while the engine loads; /OcridCard waits for it', async () => {
  let finish!: (r: undefined) => void;
  const loading = new Promise<undefined>((resolve) => (finish = resolve));
  const h2 = await startHarness({ recognizer: loading });
  try {
    const res = await h2.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().checks.recognizer, 'loading');
    const image = (await pngOf(64, 48)).toString('base64');
    let settled = false;
    const pending = h2.app.inject({ method: 'POST', url: '/OcridCard', payload: { image } }).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(settled, false, 'the call waits for the engine');
    finish(undefined);
    assert.equal((await pending).json().code, '-4');
    assert.equal((await h2.app.inject({ method: 'GET', url: '/readyz' })).json().checks.recognizer, 'absent');
  } finally {
    await h2.close();
  }
});
