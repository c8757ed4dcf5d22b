// POST /OcridCard with the real recognition engine on the committed synthetic card images.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startHarness, type Harness } from './harness.ts';
import { form } from './images.ts';
import { createRecognizer, type Recognizer } from '../../src/recognition/index.ts';
import { registerIdentity } from '../../src/verification/index.ts';
import { deriveCert } from '../../src/idcard/index.ts';

const cards = path.resolve(import.meta.dirname, '..', 'fixtures', 'cards');
interface Truth { file: string; side: string; front?: { name: string; idCard: string; birthday: string; sex: string; nation: string } }
const truths = JSON.parse(fs.readFileSync(path.join(cards, 'truth.json'), 'utf8')) as Truth[];

let h: Harness;
let engine: Recognizer;
before(async () => {
  engine = await createRecognizer({ poolSize: 0 });
  h = await startHarness({ recognizer: engine });
});
after(async () => {
  await h.close();
  await engine.close();
});

async function post(file: string, query = '') {
  const image = fs.readFileSync(path.join(cards, file)).toString('base64');
  const res = await h.app.inject({ method: 'POST', url: `/OcridCard${query}`, ...form({ image }) });
  assert.equal(res.statusCode, 200);
  return res.json();
}

test('a clean front whose identity is registered answers 01 with the cert its number implies', async () => {
  const truth = truths.find((t) => t.file === 'front-clean-1.jpg')!.front!;
  await registerIdentity(h.store, h.config, { name: truth.name, idNumber: truth.idCard });
  const body = await post('front-clean-1.jpg', '?detail=1');
  assert.equal(body.ocr.idCard, truth.idCard);
  assert.equal(body.ocr.birthday, truth.birthday);
  assert.equal(body.ocr.sex, truth.sex);
  assert.equal(body.ocr.name, truth.name);
  assert.equal(body.code, '01');
  assert.deepEqual(body.cert, deriveCert({ idNumber: truth.idCard, name: truth.name, verdict: 'match' }));
  assert.equal(body.cert.province, '河北省');
  assert.equal(body.detail.side, 'front');
  assert.equal(body.detail.quad.length, 4);
});

test('the back of a card answers -5; an image without a card answers -4', async () => {
  assert.equal((await post('back-clean.jpg')).code, '-5');
  assert.equal((await post('none-blank.jpg')).code, '-4');
});
