// POST /OcridCard through HTTP: the image rules (-1, -2, -3) on real files, hostile input, the
// body parsers, and the flow after recognition with an engine that reports a given reading.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from './harness.ts';
import { form, jpegOf, pngHeaderClaiming, pngOf } from './images.ts';
import { registerIdentity, createVerificationSource } from '../../src/verification/index.ts';
import type { RecognitionResult, Recognizer } from '../../src/recognition/index.ts';

const field = (value: string, confidence = 0.99) => ({ value, confidence });
function frontReading(name: string, idCard: string, extra: Partial<Record<'sex' | 'birthday', string>> = {}): RecognitionResult {
  return {
    side: 'front',
    front: {
      name: field(name), sex: field(extra.sex ?? '男'), nation: field('汉'), birthday: field(extra.birthday ?? '19850911'),
      address: field('贵州省松桃苗族自治县真旗屯村湾头组', 0.7), idCard: field(idCard),
    },
    quad: [[10, 10], [300, 12], [298, 200], [8, 198]],
    rotation: 0,
    timings: { decode: 3, detect: 20, recognise: 40 },
  };
}

/** An engine that reads what the test says the image shows; it still gets the real bytes. */
class ScriptedRecognizer implements Recognizer {
  next: RecognitionResult = { side: 'none', timings: {} };
  seen: Buffer[] = [];
  async read(image: Buffer) {
    this.seen.push(image);
    return this.next;
  }
  queueLength() {
    return 0;
  }
  async close() {}
}

let bare: Harness; // no engine installed
let h: Harness; // scripted engine
const engine = new ScriptedRecognizer();
let png: Buffer;

before(async () => {
  bare = await startHarness();
  h = await startHarness({ recognizer: engine });
  await registerIdentity(h.store, h.config, { name: '张三', idNumber: '522229198509112018' });
  png = await pngOf(320, 200);
});
after(async () => {
  await bare.close();
  await h.close();
});

async function ocr(target: Harness, image: string | undefined, url = '/OcridCard') {
  const res = await target.app.inject({ method: 'POST', url, ...form(image === undefined ? {} : { image }) });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.requestId, res.headers['x-ca-request-id']);
  return body;
}

test('-1: no image, empty image', async () => {
  assert.deepEqual(Object.keys(await ocr(bare, undefined)), ['code', 'msg', 'requestId']);
  assert.equal((await ocr(bare, undefined)).code, '-1');
  assert.equal((await ocr(bare, '')).msg, '图像参数不能为空');
  const json = await bare.app.inject({ method: 'POST', url: '/OcridCard', payload: {} });
  assert.equal(json.json().code, '-1');
  const nobody = await bare.app.inject({ method: 'POST', url: '/OcridCard' });
  assert.equal(nobody.json().code, '-1');
});

test('-2: random bytes, GIF, junk base64, 60000x60000 PNG header, too small, over 4 MB', async () => {
  const gif = Buffer.concat([Buffer.from('GIF89a'), crypto.randomBytes(100)]);
  const cases: Array<[string, string]> = [
    ['random bytes', crypto.randomBytes(3000).toString('base64')],
    ['gif', gif.toString('base64')],
    ['junk base64', '@@@not-base64!!!%%%'],
    ['60000x60000 header', pngHeaderClaiming(60000, 60000).toString('base64')],
    ['10x10', (await pngOf(10, 10)).toString('base64')],
    ['over 4 MB', Buffer.concat([png, crypto.randomBytes(4 * 1024 * 1024)]).toString('base64')],
  ];
  for (const [label, image] of cases) {
    const body = await ocr(bare, image);
    assert.equal(body.code, '-2', label);
    assert.equal(body.msg, '图像格式错误');
  }
});

test('-3: truncated PNG and JPEG, a URL that may not be fetched', async () => {
  const jpeg = await jpegOf(320, 200);
  for (const bytes of [png.subarray(0, 60), jpeg.subarray(0, Math.floor(jpeg.length / 3))]) {
    const body = await ocr(bare, bytes.toString('base64'));
    assert.equal(body.code, '-3');
    assert.equal(body.msg, '图像无法加载');
  }
  // A real server on 127.0.0.1: loopback is refused unless the operator allows the host.
  const server = http.createServer((_req, res) => res.end(png));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    assert.equal((await ocr(bare, `http://127.0.0.1:${port}/card.png`)).code, '-3');
    const allowed = await startHarness({}, { SHIMING_IMAGE_ALLOWED_HOSTS: `127.0.0.1:${port}` });
    try {
      assert.equal((await ocr(allowed, `http://127.0.0.1:${port}/card.png`)).code, '-4', 'fetched, decoded, nothing read');
    } finally {
      await allowed.close();
    }
  } finally {
    server.close();
  }
});

test('-4: a real image with no engine installed, and an engine that finds no card', async () => {
  assert.deepEqual(await ocr(bare, png.toString('base64')).then((b) => [b.code, b.msg]), ['-4', '图像识别失败']);
  engine.next = { side: 'none', timings: { decode: 1 } };
  const body = await ocr(h, `data:image/png;base64,${png.toString('base64')}`);
  assert.deepEqual(Object.keys(body), ['code', 'msg', 'requestId']);
  assert.equal(body.code, '-4');
  assert.ok(engine.seen.at(-1)!.equals(png), 'the engine got the decoded bytes');
});

test('-5: the back of the card', async () => {
  engine.next = { side: 'back', back: { authority: field('松桃县公安局'), validity: field('2010.01.01-2030.01.01') }, timings: {} };
  const body = await ocr(h, png.toString('base64'));
  assert.deepEqual(body, { code: '-5', msg: '身份证正反面错误', requestId: body.requestId });
  const detailed = await ocr(h, png.toString('base64'), '/OcridCard?detail=1');
  assert.equal(detailed.detail.side, 'back');
  assert.deepEqual(detailed.detail.back, { authority: '松桃县公安局', validity: '2010.01.01-2030.01.01' });
});

test('01 with the seed answer exactly; form, JSON and multipart bodies', async () => {
  engine.next = frontReading('张三', '522229198509112018');
  const expected = {
    code: '01', msg: '实名认证通过!',
    ocr: { address: '贵州省松桃苗族自治县真旗屯村湾头组', birthday: '19850911', name: '张三', idCard: '522229198509112018', sex: '男', nation: '汉' },
    cert: { idCard: '522229198509112018', name: '张三', sex: '男', area: '贵州省松桃苗族自治县', province: '贵州省', city: '', prefecture: '松桃苗族自治县', birthday: '1985-09-11', addrCode: '522229', lastCode: '8' },
  };
  const viaForm = await ocr(h, png.toString('base64'));
  assert.deepEqual(viaForm, { ...expected, requestId: viaForm.requestId });

  const viaJson = await h.app.inject({ method: 'POST', url: '/OcridCard', payload: { image: png.toString('base64') } });
  const jsonBody = viaJson.json() as Record<string, unknown>;
  assert.deepEqual({ ...jsonBody, requestId: undefined }, { ...expected, requestId: undefined });

  const boundary = '----shiming' + crypto.randomBytes(8).toString('hex');
  const multipart = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="card.png"\r\nContent-Type: image/png\r\n\r\n`),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const viaFile = await h.app.inject({ method: 'POST', url: '/OcridCard', payload: multipart, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
  assert.equal(viaFile.statusCode, 200, viaFile.body);
  assert.equal(viaFile.json().code, '01');
  assert.ok(engine.seen.at(-1)!.equals(png));

  const fieldPart = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"\r\n\r\n${png.toString('base64')}\r\n--${boundary}--\r\n`);
  const viaField = await h.app.inject({ method: 'POST', url: '/OcridCard', payload: fieldPart, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
  assert.equal(viaField.json().code, '01');
});

test('02, 202, 204, 205 after the card is read', async () => {
  const cases: Array<[string, string, string]> = [
    ['李四', '522229198509112018', '02'],
    ['王五', '11010519491231002X', '202'],
    ['张', '522229198509112018', '204'],
    ['张三', '522229198509112019', '205'],
  ];
  for (const [name, id, code] of cases) {
    engine.next = frontReading(name, id);
    const body = await ocr(h, png.toString('base64'));
    assert.equal(body.code, code, `${name} ${id}`);
    assert.equal(body.ocr.name, name);
    assert.equal(body.cert.idCard, id);
    assert.equal(body.cert.province, '');
    assert.equal(body.detail, undefined);
  }
});

test('203 after the card is read: the verification source fails', async () => {
  const broken = createVerificationSource(h.store, { verification: { ...h.config.verification, hmacKey: 'e'.repeat(64), cacheTtlMs: 0 } });
  const h2 = await startHarness({ store: h.store, recognizer: engine, verification: broken });
  try {
    engine.next = frontReading('张三', '522229198509112018');
    const body = await ocr(h2, png.toString('base64'));
    assert.equal(body.code, '203');
    assert.equal(body.msg, '异常情况');
    assert.equal(body.ocr.idCard, '522229198509112018');
    assert.equal(body.cert.idCard, '522229198509112018');
    assert.equal(body.cert.province, '');
  } finally {
    await h2.app.close();
  }
});

test('?detail=1 adds confidences, quad, cross-checks and risks; nothing is added without it', async () => {
  engine.next = frontReading('张三', '522229198509112018', { sex: '女', birthday: '19850912' });
  const plain = await ocr(h, png.toString('base64'));
  assert.deepEqual(Object.keys(plain), ['code', 'msg', 'ocr', 'cert', 'requestId']);
  const body = await ocr(h, png.toString('base64'), '/OcridCard?detail=1');
  assert.equal(body.code, '01');
  assert.equal(body.detail.side, 'front');
  assert.equal(body.detail.confidences.address, 0.7);
  assert.deepEqual(body.detail.quad, [[10, 10], [300, 12], [298, 200], [8, 198]]);
  assert.deepEqual(body.detail.crossCheck.map((m: { field: string }) => m.field).sort(), ['birthday', 'sex']);
  assert.ok(body.detail.risks.includes('low-confidence:address'));
  assert.ok(body.detail.risks.includes('sex-differs-from-number'));
  const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /shiming_recognition_stage_seconds_count\{stage="detect"\} [1-9]/);
  assert.match(metrics.body, /shiming_calls_total\{route="\/OcridCard",code="01"\} [1-9]/);
});

test('an engine that throws answers -4 and the server keeps serving', async () => {
  const failing: Recognizer = { read: async () => { throw new Error('onnx exploded'); }, queueLength: () => 0, close: async () => {} };
  const h2 = await startHarness({ recognizer: failing });
  try {
    assert.equal((await ocr(h2, png.toString('base64'))).code, '-4');
    assert.equal((await h2.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  } finally {
    await h2.close();
  }
});

test('hostile bodies: 50 MB -> 413, deep JSON -> 400, wrong content type -> 415; the server keeps serving', async () => {
  const big = 'image=' + 'A'.repeat(50 * 1024 * 1024);
  const res = await bare.app.inject({ method: 'POST', url: '/OcridCard', payload: big, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.statusCode, 413);
  assert.equal(res.headers['x-ca-error-message'], 'Request Body Too Large');
  assert.equal(res.headers['x-ca-error-code'], 'RequestBodyTooLarge');
  assert.deepEqual(res.json(), { errorCode: 'RequestBodyTooLarge', errorMessage: 'Request Body Too Large', requestId: res.headers['x-ca-request-id'] });

  const deep = '{"image":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}';
  const deepRes = await bare.app.inject({ method: 'POST', url: '/OcridCard', payload: deep, headers: { 'content-type': 'application/json' } });
  assert.equal(deepRes.statusCode, 400);
  assert.equal(deepRes.headers['x-ca-error-message'], 'Invalid Request Body');

  const badJson = await bare.app.inject({ method: 'POST', url: '/OcridCard', payload: '{"image": "张三 522229198509112018', headers: { 'content-type': 'application/json' } });
  assert.equal(badJson.statusCode, 400);

  const xml = await bare.app.inject({ method: 'POST', url: '/OcridCard', payload: '<image/>', headers: { 'content-type': 'application/xml' } });
  assert.equal(xml.statusCode, 415);

  const bigFile = Buffer.alloc(12 * 1024 * 1024, 1);
  const boundary = 'xyz123';
  const multipart = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n`), bigFile, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const bigRes = await bare.app.inject({ method: 'POST', url: '/OcridCard', payload: multipart, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
  assert.equal(bigRes.statusCode, 413);

  assert.equal((await ocr(bare, png.toString('base64'))).code, '-4', 'still serving');
});

test('a 50 MB upload to a real listening server is cut off with 413 and the server keeps serving', async () => {
  const address = await bare.app.listen({ port: 0, host: '127.0.0.1' });
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(`${address}/OcridCard`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(50 * 1024 * 1024) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024, 65);
    let sent = 0;
    const pump = () => {
      while (sent < 50 && req.write(chunk)) sent++;
      if (sent < 50) req.once('drain', () => { sent++; pump(); });
      else req.end();
    };
    pump();
  });
  assert.equal(status, 413);
  const after = await fetch(`${address}/healthz`);
  assert.equal(after.status, 200);
});
