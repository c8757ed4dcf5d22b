// Content-MD5 and bodies (/work/shared/spec/gateway.md §2): form parameters are signed only for
// application/x-www-form-urlencoded; any other body (JSON, text, multipart) is bound to the
// signature by Content-MD5, which the server recomputes from the bytes received and refuses
// when it does not match — multipart bodies included, and in AppCode mode too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { buildMeteredApp } from './support/metered-server.ts';
import { createBuyer, grantPackage, auditLedger, listPackages } from '../../src/billing/index.ts';
import { createApp, type CreatedApp } from '../../src/gateway/index.ts';

const secretKey = crypto.randomBytes(32).toString('hex');
let tdb: TestDatabase;
let server: FastifyInstance;
let base: string;
let app: CreatedApp;
let buyerId: number;

before(async () => {
  tdb = await createTestDatabase();
  server = await buildMeteredApp({ store: tdb.store, gateway: { secretKey }, sweepIntervalMs: 0 });
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  const buyer = await createBuyer(tdb.store.db, { name: 'md5' });
  buyerId = buyer.id;
  app = await createApp(tdb.store.db, { secretKey }, { buyerId });
  await grantPackage(tdb.store.db, { buyerId, product: 'idcard-verify', calls: 1000, days: 1, now: Date.now() });
});
after(async () => {
  await server.close();
  await tdb.close();
});

const md5 = (b: Buffer | string) => crypto.createHash('md5').update(b).digest('base64');
const used = async () => (await listPackages(tdb.store.db, { buyerId, product: 'idcard-verify', now: Date.now() }))[0].used;

/** A signed POST /idcard/verify; `signedPath` is the PathAndParameters put in the string to sign. */
async function signedPost(body: Buffer | string, contentType: string, opts: { md5?: string; signedPath?: string } = {}) {
  const ts = String(Date.now());
  const nonce = crypto.randomUUID();
  const headers: Record<string, string> = {
    accept: 'application/json', 'content-type': contentType, 'x-ca-key': app.appKey, 'x-ca-timestamp': ts, 'x-ca-nonce': nonce,
    'x-ca-signature-headers': 'x-ca-key,x-ca-nonce,x-ca-timestamp',
  };
  if (opts.md5 !== undefined) headers['content-md5'] = opts.md5;
  const sts = `POST\napplication/json\n${opts.md5 ?? ''}\n${contentType}\n\nx-ca-key:${app.appKey}\nx-ca-nonce:${nonce}\nx-ca-timestamp:${ts}\n${opts.signedPath ?? '/idcard/verify'}`;
  headers['x-ca-signature'] = crypto.createHmac('sha256', app.appSecret).update(sts, 'utf8').digest('base64');
  return send(headers, body);
}

async function send(headers: Record<string, string>, body: Buffer | string) {
  const res = await fetch(`${base}/idcard/verify`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, message: res.headers.get('x-ca-error-message'), code: res.headers.get('x-ca-error-code'), text };
}

function multipartBody(result: string, fileBytes: Buffer) {
  const boundary = `----shiming${crypto.randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="result"\r\n\r\n${result}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="card.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    fileBytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

test('signed multipart: Content-MD5 of the bytes received is checked; its fields are not signed', async () => {
  const before = await used();
  // large enough to arrive in several chunks
  const { body, contentType } = multipartBody('02', crypto.randomBytes(150_000));
  const ok = await signedPost(body, contentType, { md5: md5(body) });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(JSON.parse(ok.text).code, '02', 'the multipart fields reached the handler');

  // a Content-MD5 of other bytes, correctly signed: refused, not charged
  const other = Buffer.from(body);
  other[other.length - 100] ^= 0xff;
  const bad = await signedPost(body, contentType, { md5: md5(other) });
  assert.deepEqual([bad.status, bad.message, bad.code], [400, 'Invalid Content-MD5', 'InvalidContentMD5'], bad.text);

  // no Content-MD5 (the body is then not bound to the signature, as with the cloud gateway)
  const plain = await signedPost(body, contentType);
  assert.equal(plain.status, 200, plain.text);

  // multipart fields are not form parameters: a string to sign that lists them does not match
  const asParams = await signedPost(body, contentType, { md5: md5(body), signedPath: '/idcard/verify?result=02' });
  assert.equal(asParams.status, 400);
  assert.match(asParams.message ?? '', /^Invalid Signature, Server StringToSign:POST#application\/json#.*#\/idcard\/verify$/);
  assert.equal(await used(), before + 2);
});

test('JSON and text bodies: Content-MD5 checked, the body never read as parameters; form bodies: parameters signed', async () => {
  const before = await used();
  const json = '{"result":"01"}';
  assert.equal((await signedPost(json, 'application/json', { md5: md5(json) })).status, 200);
  const badJson = await signedPost(json, 'application/json', { md5: md5('{"result":"02"}') });
  assert.deepEqual([badJson.status, badJson.message], [400, 'Invalid Content-MD5']);

  // a text body that looks like a form is not parsed into the string to sign
  const text = 'result=01&x=1';
  assert.equal((await signedPost(text, 'text/plain', { md5: md5(text) })).status, 200);
  const textAsParams = await signedPost(text, 'text/plain', { md5: md5(text), signedPath: '/idcard/verify?result=01&x=1' });
  assert.equal(textAsParams.status, 400);
  assert.equal(textAsParams.code, 'InvalidSignature');

  // a form body: its parameters are in the string to sign (decoded, sorted), no Content-MD5 needed
  const form = 'x=a%2Bb&result=01';
  assert.equal((await signedPost(form, 'application/x-www-form-urlencoded', { signedPath: '/idcard/verify?result=01&x=a+b' })).status, 200);
  const formUnsigned = await signedPost(form, 'application/x-www-form-urlencoded');
  assert.equal(formUnsigned.code, 'InvalidSignature');
  assert.equal(await used(), before + 3);
});

test('AppCode calls: a Content-MD5 that does not match the body is refused, JSON or multipart', async () => {
  const before = await used();
  const headers = (extra: Record<string, string>) => ({ authorization: `APPCODE ${app.appCode}`, ...extra });
  const json = '{"result":"01"}';
  assert.equal((await send(headers({ 'content-type': 'application/json', 'content-md5': md5(json) }), json)).status, 200);
  const bad = await send(headers({ 'content-type': 'application/json', 'content-md5': md5('x') }), json);
  assert.deepEqual([bad.status, bad.message, bad.code], [400, 'Invalid Content-MD5', 'InvalidContentMD5']);
  const { body, contentType } = multipartBody('01', crypto.randomBytes(20_000));
  assert.equal((await send(headers({ 'content-type': contentType, 'content-md5': md5(body) }), body)).status, 200);
  const badMp = await send(headers({ 'content-type': contentType, 'content-md5': md5(body.subarray(1)) }), body);
  assert.deepEqual([badMp.status, badMp.message], [400, 'Invalid Content-MD5']);
  // without the header nothing is checked
  assert.equal((await send(headers({ 'content-type': contentType }), body)).status, 200);
  assert.equal(await used(), before + 3);
  const audit = await auditLedger(tdb.store.db);
  assert.ok(audit.ok, JSON.stringify(audit.mismatches));
});
