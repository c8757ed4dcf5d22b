// The generator itself: deterministic bytes, consistent identities over many draws, BMP output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { NATIONS, checkDigitOf, checkIdNumber, isValidChineseName } from '../../src/idcard/index.ts';
import { decodeBmp, generateCard, mixedItem, sideOf } from '../../tools/gen-cards/index.ts';
import { encodeBmp } from '../../tools/gen-cards/encode.ts';
import { makeIdentity, textUnits } from '../../tools/gen-cards/identity.ts';
import { createRandom } from '../../tools/gen-cards/random.ts';

test('same seed and options give the same bytes; another seed gives other bytes', async () => {
  const options = { distortions: ['photo', 'perspective', 'glare'] as const, frame: { width: 640, height: 480 } };
  const a = await generateCard(42, { ...options, distortions: [...options.distortions] });
  const b = await generateCard(42, { ...options, distortions: [...options.distortions] });
  const c = await generateCard(43, { ...options, distortions: [...options.distortions] });
  assert.ok(a.bytes.equals(b.bytes));
  assert.deepEqual(a.truth, b.truth);
  assert.ok(!a.bytes.equals(c.bytes));
  assert.notEqual(a.truth.front!.idCard, c.truth.front!.idCard);
  const meta = await sharp(a.bytes).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 640, 480]);
});

test('identities: valid numbers, all 56 nations, names with · and rare characters, addresses of 1–3 lines', () => {
  const rng = createRandom(7);
  const nations = new Set<string>();
  let dotted = 0, rare = 0;
  for (let i = 0; i < 3000; i++) {
    const p = makeIdentity(rng);
    assert.equal(checkDigitOf(p.idCard.slice(0, 17)), p.idCard[17]);
    assert.equal(p.idCard.slice(6, 14), p.birthday);
    assert.equal(Number(p.idCard[16]) % 2 === 1, p.sex === '男');
    assert.equal(p.idCard.slice(0, 6), p.region.code);
    // and the domain rules of src/idcard agree: known region, real date, check digit; valid name
    const check = checkIdNumber(p.idCard, new Date('2026-06-01T00:00:00Z'));
    assert.ok(check.ok, `${p.idCard}: ${check.ok ? '' : check.reason}`);
    assert.ok(isValidChineseName(p.name), p.name);
    assert.ok(p.address.startsWith(p.region.province));
    assert.ok(textUnits(p.address) <= 33, p.address);
    nations.add(p.nation);
    if (p.name.includes('·')) dotted++;
    if (/[赟琍㛃泐]/u.test(p.name)) rare++;
  }
  assert.equal(nations.size, 56);
  for (const n of nations) assert.ok(NATIONS.includes(n));
  assert.ok(dotted > 20, `dotted ${dotted}`);
  assert.ok(rare > 5, `rare ${rare}`);
});

test('a mixed run draws fronts, backs and negatives in the asked shares, stably', () => {
  const count = { front: 0, back: 0, none: 0 };
  for (let i = 0; i < 2000; i++) count[sideOf(99, i, { backs: 0.2, negatives: 0.1 })]++;
  assert.ok(Math.abs(count.back / 2000 - 0.2) < 0.03, JSON.stringify(count));
  assert.ok(Math.abs(count.none / 2000 - 0.1) < 0.03, JSON.stringify(count));
  assert.equal(sideOf(99, 5), sideOf(99, 5));
  for (let i = 0; i < 50; i++) assert.equal(sideOf(1, i, { backs: 0, negatives: 0 }), 'front');
  // every second image cycles the nations: 112 images name all 56
  const nations = new Set<string>();
  for (let i = 0; i < 112; i++) {
    const { options } = mixedItem(1, i);
    if (options.nation) nations.add(options.nation);
  }
  assert.equal(nations.size, 56);
  assert.deepEqual([...nations].sort(), [...NATIONS].sort());
});

test('BMP: 24-bit rows are padded to 4 bytes, 32-bit carries alpha 255, both read back', () => {
  const w = 3, h = 2;
  const rgb = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  const b24 = encodeBmp(rgb, w, h, 24);
  assert.equal(b24.length, 54 + 12 * 2);
  // bottom-up: the first stored row is the image's last row, BGR
  assert.deepEqual([...b24.subarray(54, 57)], [30, 20, 10]);
  const b32 = encodeBmp(rgb, w, h, 32);
  assert.equal(b32.length, 54 + 12 * 2);
  assert.equal(b32[57], 255);
  for (const bmp of [b24, b32]) {
    const back = decodeBmp(bmp);
    assert.deepEqual([back.width, back.height], [w, h]);
    assert.ok(back.rgb.equals(rgb));
  }
});
