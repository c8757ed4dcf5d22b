// decodeImage's `maxSide`: large images reduced while they are decoded (the engine's default),
// EXIF orientation still applied, and the engine's corners still in the pixels of the image sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { decodeImage, RECOGNITION_MAX_SIDE, RECOGNITION_REDUCED_SIDE } from '../../src/recognition/image.ts';
import { createLocalEngine } from '../../src/recognition/engine-local.ts';
import type { Quad } from '../../src/recognition/types.ts';

const DIR = new URL('../fixtures/cards/', import.meta.url);

/** `width` x `height`: the left quarter red, the rest blue, a white square in the top-right corner */
async function marked(width: number, height: number): Promise<ReturnType<typeof sharp>> {
  const red = await sharp({ create: { width: width / 4, height, channels: 3, background: '#ff0000' } }).png().toBuffer();
  const white = await sharp({ create: { width: width / 8, height: width / 8, channels: 3, background: '#ffffff' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#0000ff' } })
    .composite([{ input: red, left: 0, top: 0 }, { input: white, left: width - width / 8, top: 0 }]);
}

function pixel(img: { data: Uint8Array; width: number }, x: number, y: number): number[] {
  const p = (Math.round(y) * img.width + Math.round(x)) * 3;
  return [img.data[p]!, img.data[p + 1]!, img.data[p + 2]!];
}

function near(got: number[], want: number[], what: string): void {
  assert.ok(got.every((v, i) => Math.abs(v - want[i]!) <= 40), `${what}: got ${got}, want ${want}`);
}

test('a 4096 px JPEG with an EXIF quarter turn comes out reduced, upright, with its own size', async () => {
  // stored 4096x3072; orientation 6: shown turned 90° clockwise, 3072 wide and 4096 high
  const jpeg = await (await marked(4096, 3072)).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
  const full = await decodeImage(jpeg);
  assert.deepEqual([full.width, full.height, full.sourceWidth, full.sourceHeight], [3072, 4096, 3072, 4096]);
  const small = await decodeImage(jpeg, { maxSide: 2048 });
  assert.deepEqual([small.width, small.height, small.sourceWidth, small.sourceHeight], [1536, 2048, 3072, 4096]);
  assert.equal(small.data.length, 1536 * 2048 * 3);
  // turned clockwise: the stored left quarter (red) is now the top quarter, the stored top-right
  // corner (white) the bottom-right one
  for (const img of [full, small]) {
    const k = img.width / 3072;
    near(pixel(img, 1536 * k, 400 * k), [255, 0, 0], `top (${img.width} px)`);
    near(pixel(img, 1536 * k, 3000 * k), [0, 0, 255], `middle (${img.width} px)`);
    near(pixel(img, 3072 * k - 100 * k, 4096 * k - 100 * k), [255, 255, 255], `bottom right (${img.width} px)`);
    near(pixel(img, 100 * k, 4096 * k - 100 * k), [0, 0, 255], `bottom left (${img.width} px)`);
  }
  // the same pixels as reducing the full decode (within the JPEG's and the kernels' rounding)
  const { data } = await sharp(full.data, { raw: { width: 3072, height: 4096, channels: 3 } }).resize(1536, 2048, { kernel: 'cubic' }).raw().toBuffer({ resolveWithObject: true });
  let diff = 0;
  for (let i = 0; i < data.length; i++) diff += Math.abs(data[i]! - small.data[i]!);
  assert.ok(diff / data.length < 2, `mean difference ${diff / data.length}`);
});

test('images within maxSide are decoded exactly as without it; PNG and BMP are reduced too', async () => {
  // a 2400 px scan: within the engine's limit, decoded whole, byte for byte as without options
  const jpeg = await (await marked(2400, 1800)).jpeg().toBuffer();
  const plain = await decodeImage(jpeg);
  const engine = await decodeImage(jpeg, { maxSide: RECOGNITION_MAX_SIDE, reduceTo: RECOGNITION_REDUCED_SIDE });
  assert.deepEqual([engine.width, engine.height, engine.sourceWidth, engine.sourceHeight], [2400, 1800, 2400, 1800]);
  assert.ok(plain.data.equals(engine.data));
  // past maxSide, reduced to reduceTo
  const below = await decodeImage(jpeg, { maxSide: 2300, reduceTo: 1200 });
  assert.deepEqual([below.width, below.height, below.sourceWidth, below.sourceHeight], [1200, 900, 2400, 1800]);

  const png = await (await marked(2400, 1200)).png().toBuffer();
  const p = await decodeImage(png, { maxSide: 2048 });
  assert.deepEqual([p.width, p.height, p.sourceWidth, p.sourceHeight], [2048, 1024, 2400, 1200]);
  near(pixel(p, 100, 512), [255, 0, 0], 'PNG left');
  near(pixel(p, 2000, 40), [255, 255, 255], 'PNG top right');

  const bmp = bmp24(2400, 16, (x) => (x < 600 ? [255, 0, 0] : [0, 0, 255]));
  const b = await decodeImage(bmp, { maxSide: 1200 });
  assert.deepEqual([b.width, b.height, b.sourceWidth, b.sourceHeight], [1200, 8, 2400, 16]);
  near(pixel(b, 100, 4), [255, 0, 0], 'BMP left');
  near(pixel(b, 1100, 4), [0, 0, 255], 'BMP right');
});

/** a bottom-up 24-bit BMP, colour by column */
function bmp24(width: number, height: number, colour: (x: number) => number[]): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const file = Buffer.alloc(54 + rowBytes * height);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(54, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(24, 28);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colour(x);
      file.set([b!, g!, r!], 54 + y * rowBytes + x * 3);
    }
  }
  return file;
}

test('the engine reads a 4096 px photo from the reduced decode: same fields, corners in the photo\'s pixels', async () => {
  assert.deepEqual([RECOGNITION_MAX_SIDE, RECOGNITION_REDUCED_SIDE], [2560, 2048]);
  const truth = (JSON.parse(readFileSync(new URL('truth.json', DIR), 'utf8')) as { file: string; quad: Quad; cardWidthPx: number; front: Record<string, string> }[])
    .find((t) => t.file === 'front-large.jpg')!;
  const bytes = readFileSync(new URL('front-large.jpg', DIR));
  assert.equal((await sharp(bytes).metadata()).height, 4096);
  const reduced = await createLocalEngine();
  const full = await createLocalEngine({ maxSide: 4096 });
  try {
    const a = await reduced.read(bytes);
    const b = await full.read(bytes);
    for (const r of [a, b]) {
      assert.equal(r.side, 'front');
      assert.deepEqual(Object.fromEntries(Object.entries(r.front!).map(([k, v]) => [k, v.value])), truth.front);
    }
    // each corner within 3 % of the card's width of the truth (the truth is in the photo's pixels)
    for (const r of [a, b]) {
      const worst = Math.max(...r.quad!.map(([x, y], i) => Math.hypot(x - truth.quad[i]![0], y - truth.quad[i]![1])));
      assert.ok(worst <= 0.03 * truth.cardWidthPx, `corner ${worst.toFixed(0)} px from the truth: ${JSON.stringify(r.quad)}`);
    }
  } finally {
    await reduced.close();
    await full.close();
  }
});
