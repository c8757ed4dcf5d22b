// POST /idcard/verify through HTTP against the real registry source: every identity code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './harness.ts';
import { form } from './images.ts';
import { createVerificationSource, registerIdentity } from '../../src/verification/index.ts';
import { RESULT_MESSAGES } from '../../src/http/answers.ts';

const SEED_CERT = {
  idCard: '522229198509112018', name: '张三', sex: '男', area: '贵州省松桃苗族自治县', province: '贵州省', city: '',
  prefecture: '松桃苗族自治县', birthday: '1985-09-11', addrCode: '522229', lastCode: '8',
};
const EMPTY = { sex: '', area: '', province: '', city: '', prefecture: '', birthday: '', addrCode: '', lastCode: '' };

let h: Harness;
before(async () => {
  h = await startHarness();
  await registerIdentity(h.store, h.config, { name: '张三', idNumber: '522229198509112018' });
});
after(() => h.close());

async function verify(name: string, idCard: string, as: 'form' | 'json' = 'form') {
  const res = as === 'form'
    ? await h.app.inject({ method: 'POST', url: '/idcard/verify', ...form({ name, idCard }) })
    : await h.app.inject({ method: 'POST', url: '/idcard/verify', payload: { name, idCard } });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.requestId, res.headers['x-ca-request-id']);
  assert.equal(body.msg, RESULT_MESSAGES[body.code as keyof typeof RESULT_MESSAGES]);
  return body;
}

test('01: the seed identity passes with the seed cert block exactly', async () => {
  const body = await verify('张三', '522229198509112018');
  assert.deepEqual(body, { code: '01', msg: '实名认证通过!', cert: SEED_CERT, requestId: body.requestId });
  assert.deepEqual((await verify('张三', '522229198509112018', 'json')).cert, SEED_CERT);
});

test('02: known number with another name; cert keeps only idCard and name', async () => {
  const body = await verify('李四', '522229198509112018');
  assert.equal(body.code, '02');
  assert.equal(body.msg, '实名认证不通过!');
  assert.deepEqual(body.cert, { idCard: '522229198509112018', name: '李四', ...EMPTY });
});

test('202: a valid number the registry does not know', async () => {
  const body = await verify('王五', '11010519491231002X');
  assert.equal(body.code, '202');
  assert.equal(body.msg, '无法验证');
  assert.deepEqual(body.cert, { idCard: '11010519491231002X', name: '王五', ...EMPTY });
  assert.equal((await verify('王五', '11010519491231002x')).code, '202', 'lower-case x is accepted');
});

test('204: names that are not 2-15 Chinese characters', async () => {
  for (const name of ['Zhang San', '张', '', '张三1', '·张三', '张'.repeat(16)]) {
    const body = await verify(name, '522229198509112018');
    assert.equal(body.code, '204', name);
    assert.equal(body.msg, '姓名格式不正确');
  }
  assert.equal((await verify('阿沛·阿旺晋美', '11010519491231002X')).code, '202', 'minority name with · is valid');
});

test('205: malformed numbers (check digit, length, characters, date, region, 15-digit legacy)', async () => {
  for (const idCard of ['522229198509112019', '52222919850911201', '5222291985091120188', '52222919850911201A', '522229198502302016', '992229198509112010', '522229850911201', '', '522229209909112017']) {
    const body = await verify('张三', idCard);
    assert.equal(body.code, '205', idCard);
    assert.equal(body.msg, '身份证格式不正确');
    assert.equal(body.cert.sex, '');
  }
});

test('203: the source fails (registry keyed with another HMAC key)', async () => {
  const broken = createVerificationSource(h.store, { verification: { ...h.config.verification, hmacKey: 'f'.repeat(64), cacheTtlMs: 0 } });
  const h2 = await startHarness({ store: h.store, verification: broken });
  const res = await h2.app.inject({ method: 'POST', url: '/idcard/verify', ...form({ name: '张三', idCard: '522229198509112018' }) });
  const body = res.json();
  assert.equal(body.code, '203');
  assert.equal(body.msg, '异常情况');
  const metrics = await h2.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /shiming_verification_source_errors_total\{source="registry",reason="key-mismatch"\} 1/);
  assert.match(metrics.body, /shiming_calls_total\{route="\/idcard\/verify",code="203"\} 1/);
  await h2.app.close();
});

test('no body, junk bodies: 204 (empty name) with HTTP 200, and the server keeps serving', async () => {
  const none = await h.app.inject({ method: 'POST', url: '/idcard/verify' });
  assert.equal(none.statusCode, 200);
  assert.equal(none.json().code, '204');
  const arr = await h.app.inject({ method: 'POST', url: '/idcard/verify', payload: [1, 2] });
  assert.equal(arr.json().code, '204');
  const typed = await h.app.inject({ method: 'POST', url: '/idcard/verify', payload: { name: ['张三'], idCard: 522229198509112018 } });
  assert.equal(typed.json().code, '204');
  assert.equal((await verify('张三', '522229198509112018')).code, '01');
});

test('an unknown county code still verifies; its region fields stay empty and a metric counts it', async () => {
  // 522299 is no county in any year; the province 52 exists. Check digit computed for it.
  const { checkDigitOf } = await import('../../src/idcard/index.ts');
  const first17 = '52229919850911201';
  const idNumber = first17 + checkDigitOf(first17);
  await registerIdentity(h.store, h.config, { name: '赵六', idNumber });
  const body = await verify('赵六', idNumber);
  assert.equal(body.code, '01');
  assert.equal(body.cert.province, '贵州省');
  assert.equal(body.cert.prefecture, '');
  const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /^shiming_unknown_region_total [1-9]/m);
});
