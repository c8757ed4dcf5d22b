// AppKey + AppSecret signatures: strings to sign written out by hand from the spec, every
// refusal through HTTP, and the vendor's own Node client (aliyun-api-gateway) against our server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { buildMeteredApp } from './support/metered-server.ts';
import { createBuyer, grantPackage, auditLedger, listPackages } from '../../src/billing/index.ts';
import { createApp, resetAppSecret, buildStringToSign, parseParameters, signedHeaderNames, type CreatedApp } from '../../src/gateway/index.ts';

const require = createRequire(import.meta.url);
const { Client, SimpleClient } = require('aliyun-api-gateway') as {
  Client: new (key: string, secret: string) => { get(url: string, opts?: object): Promise<any>; post(url: string, opts?: object): Promise<any> };
  SimpleClient: new (code: string) => { get(url: string, opts?: object): Promise<any> };
};

const secretKey = crypto.randomBytes(32).toString('hex');
let tdb: TestDatabase;
let server: FastifyInstance;
let base: string;
let app: CreatedApp;

before(async () => {
  tdb = await createTestDatabase();
  server = await buildMeteredApp({ store: tdb.store, gateway: { secretKey }, sweepIntervalMs: 0 });
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  const buyer = await createBuyer(tdb.store.db, { name: 'sig' });
  app = await createApp(tdb.store.db, { secretKey }, { buyerId: buyer.id });
  await grantPackage(tdb.store.db, { buyerId: buyer.id, product: 'idcard-verify', calls: 1000, days: 1, now: Date.now() });
  await grantPackage(tdb.store.db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 1000, days: 1, now: Date.now() });
});
after(async () => {
  await server.close();
  await tdb.close();
});

const hmac = (alg: 'sha256' | 'sha1', secret: string, s: string) => crypto.createHmac(alg, secret).update(s, 'utf8').digest('base64');
const md5 = (s: string) => crypto.createHash('md5').update(s, 'utf8').digest('base64');

async function send(method: string, pathAndQuery: string, headers: Record<string, string>, body?: string) {
  const res = await fetch(base + pathAndQuery, { method, headers, body });
  const text = await res.text();
  return { status: res.status, message: res.headers.get('x-ca-error-message'), code: res.headers.get('x-ca-error-code'), text };
}

test('the string to sign, written out by hand, for a form POST with a query', () => {
  const headers: Record<string, string> = {
    accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', date: 'Mon, 05 Jan 2026 02:00:00 GMT',
    'x-ca-key': '203753', 'x-ca-timestamp': '1767578400000', 'x-ca-nonce': 'n-1', 'x-ca-stage': 'RELEASE',
  };
  const parameters = parseParameters('b=2&a=&c=x%2By');
  parseParameters('image=ab%2Bc%2Fd%3D%3D&a=1', parameters);
  const s = buildStringToSign({ method: 'POST', header: (n) => headers[n], path: '/OcridCard', parameters },
    signedHeaderNames('x-ca-timestamp,x-ca-key,x-ca-nonce,x-ca-stage,x-ca-signature,x-ca-signature-headers'));
  assert.equal(s,
    'POST\napplication/json\n\napplication/x-www-form-urlencoded; charset=UTF-8\nMon, 05 Jan 2026 02:00:00 GMT\n' +
    'x-ca-key:203753\nx-ca-nonce:n-1\nx-ca-stage:RELEASE\nx-ca-timestamp:1767578400000\n' +
    '/OcridCard?a=1&b=2&c=x+y&image=ab+c/d==');
  // no parameters and no signed headers: nothing after the Date line but the path
  assert.equal(buildStringToSign({ method: 'get', header: () => undefined, path: '/p', parameters: new Map() }, []), 'GET\n\n\n\n\n/p');
});

test('hand-made vectors: HmacSHA256 and HmacSHA1, JSON body with Content-MD5, GET with query', async () => {
  const ts = String(Date.now());
  const body = '{"result":"02","name":"张三"}';
  const headers: Record<string, string> = {
    accept: 'application/json', 'content-md5': md5(body), 'content-type': 'application/json; charset=UTF-8',
    'x-ca-key': app.appKey, 'x-ca-timestamp': ts, 'x-ca-nonce': crypto.randomUUID(),
    'x-ca-signature-headers': 'x-ca-timestamp,x-ca-nonce,x-ca-key',
  };
  const sts = `POST\napplication/json\n${md5(body)}\napplication/json; charset=UTF-8\n\nx-ca-key:${app.appKey}\nx-ca-nonce:${headers['x-ca-nonce']}\nx-ca-timestamp:${ts}\n/idcard/verify?z=9`;
  const ok = await send('POST', '/idcard/verify?z=9', { ...headers, 'x-ca-signature': hmac('sha256', app.appSecret, sts) }, body);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(JSON.parse(ok.text).code, '02');

  // HmacSHA1, names as the Java demo writes them (signed header list in its own case)
  const nonce = crypto.randomUUID();
  const sts1 = `GET\napplication/json\n\n\n\nX-Ca-Key:${app.appKey}\nX-Ca-Nonce:${nonce}\nX-Ca-Signature-Method:HmacSHA1\nX-Ca-Timestamp:${ts}\n/OcridCard?empty&result=01&q=a b`;
  const r1 = await send('GET', '/OcridCard?result=01&empty=&q=a%20b', {
    Accept: 'application/json', 'X-Ca-Key': app.appKey, 'X-Ca-Timestamp': ts, 'X-Ca-Nonce': nonce, 'X-Ca-Signature-Method': 'HmacSHA1',
    'X-Ca-Signature-Headers': 'X-Ca-Timestamp,X-Ca-Key,X-Ca-Nonce,X-Ca-Signature-Method',
    'X-Ca-Signature': hmac('sha1', app.appSecret, sts1),
  });
  // sorted keys: "empty" < "q" < "result"
  assert.equal(r1.status, 400);
  assert.equal(r1.message, `Invalid Signature, Server StringToSign:${`GET\napplication/json\n\n\n\nX-Ca-Key:${app.appKey}\nX-Ca-Nonce:${nonce}\nX-Ca-Signature-Method:HmacSHA1\nX-Ca-Timestamp:${ts}\n/OcridCard?empty&q=a b&result=01`.replace(/\n/g, '#')}`);
  const nonce2 = crypto.randomUUID();
  const sts2 = `GET\napplication/json\n\n\n\nX-Ca-Key:${app.appKey}\nX-Ca-Nonce:${nonce2}\nX-Ca-Signature-Method:HmacSHA1\nX-Ca-Timestamp:${ts}\n/OcridCard?empty&q=a b&result=01`;
  const r2 = await send('GET', '/OcridCard?result=01&empty=&q=a%20b', {
    Accept: 'application/json', 'X-Ca-Key': app.appKey, 'X-Ca-Timestamp': ts, 'X-Ca-Nonce': nonce2, 'X-Ca-Signature-Method': 'HmacSHA1',
    'X-Ca-Signature-Headers': 'X-Ca-Timestamp,X-Ca-Key,X-Ca-Nonce,X-Ca-Signature-Method',
    'X-Ca-Signature': hmac('sha1', app.appSecret, sts2),
  });
  assert.equal(r2.status, 200, r2.text);
});

function signedGet(path: string, over: Record<string, string | undefined> = {}, secret = app.appSecret) {
  const ts = over['x-ca-timestamp'] ?? String(Date.now());
  const nonce = over['x-ca-nonce'] ?? crypto.randomUUID();
  const sts = `GET\napplication/json\n\n\n\nx-ca-key:${app.appKey}\nx-ca-nonce:${nonce}\nx-ca-timestamp:${ts}\n${path}`;
  const headers: Record<string, string | undefined> = {
    accept: 'application/json', 'x-ca-key': app.appKey, 'x-ca-timestamp': ts, 'x-ca-nonce': nonce, 'x-ca-signature-headers': 'x-ca-key,x-ca-nonce,x-ca-timestamp',
    'x-ca-signature': hmac('sha256', secret, sts), ...over,
  };
  return send('GET', path, Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>);
}

test('every signature refusal, with the spec status and message', async () => {
  assert.equal((await signedGet('/idcard/verify')).status, 200);
  const expect = async (p: ReturnType<typeof signedGet>, status: number, message: string, code: string) => {
    const r = await p;
    assert.deepEqual([r.status, r.message, r.code], [status, message, code], r.text);
  };
  await expect(signedGet('/idcard/verify', { 'x-ca-key': '999999999999' }), 400, 'Invalid AppKey', 'InvalidAppKey');
  await expect(signedGet('/idcard/verify', { 'x-ca-signature': undefined }), 401, 'Empty Signature', 'EmptySignature');
  await expect(signedGet('/idcard/verify', { 'x-ca-signature-method': 'HmacMD5' }), 400, 'Invalid Signature Method', 'InvalidSignatureMethod');
  await expect(signedGet('/idcard/verify', { 'x-ca-timestamp': 'yesterday' }), 400, 'Invalid Timestamp', 'InvalidTimestamp');
  await expect(signedGet('/idcard/verify', { 'x-ca-timestamp': String(Date.now() - 16 * 60_000) }), 400, 'Timestamp Expired', 'TimestampExpired');
  await expect(signedGet('/idcard/verify', { 'x-ca-timestamp': String(Date.now() + 16 * 60_000) }), 400, 'Timestamp Expired', 'TimestampExpired');
  const nonce = crypto.randomUUID();
  assert.equal((await signedGet('/idcard/verify', { 'x-ca-nonce': nonce })).status, 200);
  await expect(signedGet('/idcard/verify', { 'x-ca-nonce': nonce }), 400, 'Nonce Used', 'NonceUsed');
  // a wrong secret: the server's string to sign, "\n" as "#", non-ASCII percent-encoded in the header
  const ts = String(Date.now());
  const n2 = crypto.randomUUID();
  const r = await signedGet('/idcard/verify?name=%E5%BC%A0', { 'x-ca-timestamp': ts, 'x-ca-nonce': n2 }, 'wrong-secret');
  const server = `GET#application/json####x-ca-key:${app.appKey}#x-ca-nonce:${n2}#x-ca-timestamp:${ts}#/idcard/verify?name=`;
  assert.equal(r.status, 400);
  assert.equal(r.message, `Invalid Signature, Server StringToSign:${server}%E5%BC%A0`);
  assert.equal(JSON.parse(r.text).errorMessage, `Invalid Signature, Server StringToSign:${server}张`);
  // Content-MD5 that does not match the body
  const body = '{"result":"01"}';
  const sts = `POST\n\n${md5('{}')}\napplication/json\n\nx-ca-key:${app.appKey}\nx-ca-timestamp:${ts}\n/idcard/verify`;
  const bad = await send('POST', '/idcard/verify', {
    'content-type': 'application/json', 'content-md5': md5('{}'), 'x-ca-key': app.appKey, 'x-ca-timestamp': ts,
    'x-ca-signature-headers': 'x-ca-key,x-ca-timestamp', 'x-ca-signature': hmac('sha256', app.appSecret, sts),
  }, body);
  assert.deepEqual([bad.status, bad.message], [400, 'Invalid Content-MD5']);
});

test('the vendor client (aliyun-api-gateway Client) signs requests our server accepts', async () => {
  const client = new Client(app.appKey, app.appSecret);
  const before = (await listPackages(tdb.store.db, { buyerId: app.buyerId, product: 'idcard-ocr', now: Date.now() }))[0].used;
  // form body with a base64 image value: + / = must verify
  const image = crypto.randomBytes(3000).toString('base64');
  assert.match(image, /[+/]/);
  const form = await client.post(`${base}/OcridCard`, {
    data: { image: image + '==', result: '01' }, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
  });
  assert.equal(form.code, '01');
  // JSON body (the client adds Content-MD5), with a query string and a Chinese value
  const json = await client.post(`${base}/OcridCard?side=face&tag=${encodeURIComponent('正面')}`, { data: { result: '02', image } });
  assert.equal(json.code, '02');
  // GET with query parameters
  const get = await client.get(`${base}/OcridCard`, { query: { result: '-4', x: '' } });
  assert.equal(get.code, '-4');
  const after = (await listPackages(tdb.store.db, { buyerId: app.buyerId, product: 'idcard-ocr', now: Date.now() }))[0].used;
  assert.equal(after - before, 2, '01 and 02 billed, -4 not');
  // its refusals carry the spec's message
  await assert.rejects(new Client(app.appKey, 'not-the-secret').get(`${base}/OcridCard`), (err: any) => {
    assert.equal(err.code, 400);
    assert.match(err.data.headers['x-ca-error-message'], /^Invalid Signature, Server StringToSign:GET#application\/json####x-ca-key:/);
    return true;
  });
  // and the AppCode client
  const simple = await new SimpleClient(app.appCode).get(`${base}/OcridCard?result=01`);
  assert.equal(simple.code, '01');
  await assert.rejects(new SimpleClient('0'.repeat(32)).get(`${base}/OcridCard`), (err: any) => err.code === 400 && err.data.headers['x-ca-error-message'] === 'Invalid AppCode `not exists`');
});

test('a reset AppSecret refuses the old signatures at once', async () => {
  const buyer = await createBuyer(tdb.store.db, { name: 'reset' });
  const a = await createApp(tdb.store.db, { secretKey }, { buyerId: buyer.id });
  await grantPackage(tdb.store.db, { buyerId: buyer.id, product: 'idcard-ocr', calls: 10, days: 1, now: Date.now() });
  const old = new Client(a.appKey, a.appSecret);
  assert.equal((await old.get(`${base}/OcridCard`)).code, '01'); // cached now
  const { appSecret } = await resetAppSecret(tdb.store.db, { secretKey }, a.id);
  await assert.rejects(old.get(`${base}/OcridCard`), (err: any) => err.code === 400 && /^Invalid Signature/.test(err.data.headers['x-ca-error-message']));
  assert.equal((await new Client(a.appKey, appSecret).get(`${base}/OcridCard`)).code, '01');
  const audit = await auditLedger(tdb.store.db);
  assert.ok(audit.ok, JSON.stringify(audit.mismatches));
});
