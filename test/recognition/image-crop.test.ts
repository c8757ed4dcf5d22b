// cropRotated (pixels.ts): bilinear sampling of a rotated rectangle, checked byte for byte against
// a plain per-channel implementation of the same sampling, and against known pixels; turnRgb.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { turnRgb, cropRotated, type RgbImage } from '../../src/recognition/pixels.ts';
import type { RotatedRect } from '../../src/recognition/ocr/geometry.ts';

/** The sampling as first written: one channel at a time (the reference the fast path must equal). */
function reference(img: RgbImage, r: RotatedRect, outW: number, outH: number): Uint8Array {
  const dst = new Uint8Array(outW * outH * 3);
  const ux = Math.cos(r.angle) * (r.w / outW), uy = Math.sin(r.angle) * (r.w / outW);
  const vx = -Math.sin(r.angle) * (r.h / outH), vy = Math.cos(r.angle) * (r.h / outH);
  const x0 = r.cx - (ux * outW) / 2 - (vx * outH) / 2 + (ux + vx) / 2 - 0.5;
  const y0 = r.cy - (uy * outW) / 2 - (vy * outH) / 2 + (uy + vy) / 2 - 0.5;
  const { data, width, height } = img;
  const wm = width - 1, hm = height - 1;
  let o = 0;
  for (let j = 0; j < outH; j++) {
    let x = x0 + vx * j, y = y0 + vy * j;
    for (let i = 0; i < outW; i++, x += ux, y += uy) {
      if (x < 0 || y < 0 || x > wm || y > hm) {
        dst[o++] = 128; dst[o++] = 128; dst[o++] = 128;
        continue;
      }
      const xi = x | 0, yi = y | 0;
      const fx = x - xi, fy = y - yi;
      const xn = xi < wm ? 3 : 0, yn = yi < hm ? width * 3 : 0;
      const p = (yi * width + xi) * 3;
      for (let c = 0; c < 3; c++) {
        const a = data[p + c]!, b = data[p + c + xn]!, d = data[p + c + yn]!, e = data[p + c + xn + yn]!;
        const top = a + (b - a) * fx, bot = d + (e - d) * fx;
        dst[o++] = (top + (bot - top) * fy + 0.5) | 0;
      }
    }
  }
  return dst;
}

/** a seeded xorshift, so a failure can be replayed */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

test('cropRotated equals the per-channel sampling byte for byte (any angle, edges, outside the image)', () => {
  const rnd = random(7);
  for (let k = 0; k < 200; k++) {
    const width = 1 + Math.floor(rnd() * 120), height = 1 + Math.floor(rnd() * 90);
    const img: RgbImage = { data: Uint8Array.from({ length: width * height * 3 }, () => Math.floor(rnd() * 256)), width, height };
    const rect: RotatedRect = {
      cx: rnd() * width * 1.4 - width * 0.2,
      cy: rnd() * height * 1.4 - height * 0.2,
      w: 1 + rnd() * width * 1.2,
      h: 1 + rnd() * height,
      angle: k % 4 === 0 ? (Math.floor(rnd() * 4) * Math.PI) / 2 : (rnd() * 2 - 1) * Math.PI,
    };
    const outW = 1 + Math.floor(rnd() * 200), outH = 1 + Math.floor(rnd() * 60);
    const want = reference(img, rect, outW, outH);
    assert.deepEqual(cropRotated(img, rect, outW, outH), want, `case ${k}`);
    // into a caller's buffer, overwriting what was there
    const into = new Uint8Array(outW * outH * 3).fill(7);
    assert.equal(cropRotated(img, rect, outW, outH, into), into);
    assert.deepEqual(into, want, `case ${k} into a buffer`);
  }
});

test('cropRotated: an upright crop at scale 1 copies the pixels, a quarter turn transposes, outside is grey', () => {
  const width = 6, height = 6;
  const img: RgbImage = { data: Uint8Array.from({ length: width * height * 3 }, (_, i) => i), width, height };
  const px = (x: number, y: number) => [...img.data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];
  // the whole image, upright
  assert.deepEqual(cropRotated(img, { cx: 3, cy: 3, w: 6, h: 6, angle: 0 }, 6, 6), img.data);
  // 4 long and 2 high, turned a quarter clockwise about the image's centre: the crop's x axis
  // runs down the image (rows 1..4), its first row is the column to the right (x = 3)
  const turned = cropRotated(img, { cx: 3, cy: 3, w: 4, h: 2, angle: Math.PI / 2 }, 4, 2);
  const at = (i: number, j: number) => [...turned.subarray((j * 4 + i) * 3, (j * 4 + i) * 3 + 3)];
  for (let i = 0; i < 4; i++) {
    assert.deepEqual(at(i, 0), px(3, 1 + i), `row 0, ${i}`);
    assert.deepEqual(at(i, 1), px(2, 1 + i), `row 1, ${i}`);
  }
  // entirely outside
  assert.deepEqual([...cropRotated(img, { cx: 50, cy: 50, w: 4, h: 2, angle: 0.3 }, 4, 2)], Array(24).fill(128));
});

describe('turning an image about its centre', () => {
  it('holds the whole image and maps its pixels back to the original\'s', async () => {
    const width = 40, height = 30;
    const data = new Uint8Array(width * height * 3).fill(200);
    // a red 2 x 2 mark around (31, 9) in pixel-edge coordinates
    for (const [x, y] of [[30, 8], [31, 8], [30, 9], [31, 9]] as const) data.set([255, 0, 0], (y * width + x) * 3);
    const turned = await turnRgb({ data, width, height }, 45);
    // the canvas holds the turned rectangle: (40 + 30) / √2 ≈ 49.5 each way
    assert.ok(Math.abs(turned.img.width - 49.5) <= 1.5 && Math.abs(turned.img.height - 49.5) <= 1.5, `${turned.img.width} x ${turned.img.height}`);
    let sx = 0, sy = 0, n = 0;
    for (let y = 0; y < turned.img.height; y++) {
      for (let x = 0; x < turned.img.width; x++) {
        const p = (y * turned.img.width + x) * 3;
        if (turned.img.data[p]! > 180 && turned.img.data[p + 1]! < 120) { sx += x + 0.5; sy += y + 0.5; n++; }
      }
    }
    assert.ok(n > 0, 'the mark is in the turned image');
    const [x, y] = turned.toOriginal([sx / n, sy / n]);
    assert.ok(Math.hypot(x - 31, y - 9) < 1.5, `mapped back to (${x.toFixed(2)}, ${y.toFixed(2)})`);
    // and it turned clockwise: a mark right of the centre and above it ends up further right
    assert.ok(sx / n > turned.img.width / 2 + 8, 'turned clockwise');
  });
});
