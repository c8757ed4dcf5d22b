// The committed fixture set: its ground truth is self-consistent and its images decode at the
// stated size, with the EXIF orientation the truth says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { NATIONS, checkDigitOf } from '../../src/idcard/index.ts';
import { MAX_IMAGE_BYTES, decodeBmp, generateCard } from '../../tools/gen-cards/index.ts';
import { FIXTURES, FIXTURE_DIR, type FixtureTruth } from '../../tools/gen-cards/fixtures.ts';
import { missingCharacters } from '../../tools/gen-cards/dictionary.ts';
import { allRegions, regionPrefix } from '../../tools/gen-cards/regions.ts';

const truths = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'truth.json'), 'utf8')) as FixtureTruth[];
const regions = new Map(allRegions().map((r) => [r.code, r]));

function isDate(yyyymmdd: string): boolean {
  const d = new Date(Date.UTC(+yyyymmdd.slice(0, 4), +yyyymmdd.slice(4, 6) - 1, +yyyymmdd.slice(6, 8)));
  return d.toISOString().slice(0, 10).replace(/-/g, '') === yyyymmdd;
}

test('the fixture list and truth.json agree, and cover the sides, rotations, EXIF and formats', () => {
  assert.deepEqual(truths.map((t) => t.name), FIXTURES.map((f) => f.name));
  const sides = new Set(truths.map((t) => t.side));
  assert.deepEqual([...sides].sort(), ['back', 'front', 'none']);
  for (const roll of [90, 180, 270]) assert.ok(truths.some((t) => t.rollDeg === roll), `roll ${roll}`);
  for (const o of [3, 6, 8]) assert.ok(truths.some((t) => t.exifOrientation === o), `EXIF ${o}`);
  for (const f of ['jpeg', 'png', 'bmp24', 'bmp32']) assert.ok(truths.some((t) => t.format === f), f);
  for (const kind of ['document', 'scene', 'blank']) assert.ok(truths.some((t) => t.negative === kind), kind);
  assert.ok(truths.some((t) => t.front && !t.inDictionary), 'a card with a character outside the dictionary');
  assert.ok(truths.some((t) => t.front?.name.includes('·')), 'a name with ·');
});

test('front truth: check digit, birthday and sex match the number, nation in the list, address from the region', () => {
  for (const t of truths.filter((x) => x.side === 'front')) {
    const f = t.front!;
    assert.match(f.idCard, /^\d{17}[\dX]$/, t.name);
    assert.equal(checkDigitOf(f.idCard.slice(0, 17)), f.idCard[17], t.name);
    assert.equal(f.idCard.slice(6, 14), f.birthday, t.name);
    assert.ok(isDate(f.birthday), t.name);
    assert.equal(Number(f.idCard[16]) % 2 === 1 ? '男' : '女', f.sex, t.name);
    assert.ok(NATIONS.includes(f.nation), t.name);
    const region = regions.get(f.idCard.slice(0, 6));
    assert.ok(region, `${t.name}: region ${f.idCard.slice(0, 6)}`);
    assert.ok(f.address.startsWith(regionPrefix(region)), t.name);
    assert.equal(t.addressLines!.join(''), f.address, t.name);
    assert.ok(t.addressLines!.length >= 1 && t.addressLines!.length <= 3, t.name);
    assert.deepEqual(t.missingChars, missingCharacters(f.name, f.address), t.name);
    assert.equal(t.inDictionary, t.missingChars.length === 0, t.name);
  }
});

test('back truth: authority and a validity period that fits the rules', () => {
  for (const t of truths.filter((x) => x.side === 'back')) {
    const b = t.back!;
    assert.match(b.authority, /公安局(.+分局)?$/, t.name);
    const m = /^(\d{4})\.(\d{2})\.(\d{2})-(?:(\d{4})\.(\d{2})\.(\d{2})|长期)$/.exec(b.validity);
    assert.ok(m, `${t.name}: ${b.validity}`);
    if (m[4]) assert.ok([5, 10, 20].includes(Number(m[4]) - Number(m[1])), b.validity);
  }
});

test('every image decodes at the stated size; EXIF images are stored rotated and the tag restores them', async () => {
  for (const t of truths) {
    const bytes = fs.readFileSync(path.join(FIXTURE_DIR, t.file));
    // what the API accepts: at most 4 MB, sides from 15 to 4096 px
    assert.ok(bytes.length <= MAX_IMAGE_BYTES, t.name);
    assert.ok(Math.min(t.width, t.height) >= 15 && Math.max(t.width, t.height) <= 4096, t.name);
    if (t.format === 'bmp24' || t.format === 'bmp32') {
      const bmp = decodeBmp(bytes);
      assert.deepEqual([bmp.width, bmp.height, bmp.bits], [t.width, t.height, t.format === 'bmp24' ? 24 : 32], t.name);
      continue;
    }
    const meta = await sharp(bytes).metadata();
    assert.equal(meta.format, t.format, t.name);
    const swapped = t.exifOrientation === 6 || t.exifOrientation === 8;
    assert.deepEqual([meta.width, meta.height], swapped ? [t.height, t.width] : [t.width, t.height], t.name);
    assert.equal(meta.orientation ?? 1, t.exifOrientation, t.name);
    const upright = await sharp(bytes).rotate().toBuffer({ resolveWithObject: true });
    assert.deepEqual([upright.info.width, upright.info.height], [t.width, t.height], t.name);
  }
});

test('the card quad lies in the frame, clockwise from the card\'s own top-left', () => {
  for (const t of truths.filter((x) => x.quad)) {
    for (const [x, y] of t.quad!) {
      assert.ok(x >= -1 && y >= -1 && x <= t.width + 1 && y <= t.height + 1, `${t.name}: ${x},${y}`);
    }
    const [tl, tr, , bl] = t.quad!;
    // the top edge's direction is the roll angle (clockwise, y down)
    const angle = (Math.atan2(tr[1] - tl[1], tr[0] - tl[0]) * 180) / Math.PI;
    const diff = Math.abs(((angle - t.rollDeg! + 540) % 360) - 180);
    assert.ok(diff < (t.distortions.includes('perspective') ? 20 : 3), `${t.name}: top edge at ${angle}, roll ${t.rollDeg}`);
    // clockwise order in image coordinates: cross product of (TR-TL) and (BL-TL) is positive
    const cross = (tr[0] - tl[0]) * (bl[1] - tl[1]) - (tr[1] - tl[1]) * (bl[0] - tl[0]);
    assert.ok(cross > 0, t.name);
  }
});

test('regenerating a fixture from its seed gives the committed truth', async () => {
  for (const name of ['front-clean-minority', 'front-exif-6', 'back-clean']) {
    const { seed, name: _n, ...options } = FIXTURES.find((f) => f.name === name)!;
    const card = await generateCard(seed, options);
    const committed = truths.find((t) => t.name === name)!;
    const { file: _f, name: _m, ...truth } = committed;
    assert.deepEqual(card.truth, truth, name);
  }
});
