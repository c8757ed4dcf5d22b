import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { decodeImage, ImageRejected, inspectImage, MAX_IMAGE_BYTES } from '../../src/recognition/image.ts';

type Rgb = [number, number, number];

async function solid(width: number, height: number, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: '#3366cc' } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg().toBuffer();
}

async function rejects(promise: Promise<unknown> | (() => unknown), code: '-2' | '-3'): Promise<ImageRejected> {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ImageRejected, `expected ImageRejected, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.reason);
  return caught;
}

/** A BMP written byte by byte. `rows` top row first; `topDown` picks the storage order.
 *  8-bit writes a palette of the distinct colours; 16-bit is 5-5-5 (colours must be multiples of 8). */
function makeBmp(opts: {
  rows: Rgb[][];
  bits: 8 | 16 | 24 | 32;
  topDown?: boolean;
  headerSize?: 40 | 108 | 124;
  bitfields?: boolean;
  gap?: number;
}): Buffer {
  const { rows, bits, topDown = false, headerSize = 40, bitfields = false, gap = 0 } = opts;
  const height = rows.length;
  const width = rows[0]!.length;
  const rowBytes = Math.ceil((width * bits) / 32) * 4;
  const palette = bits === 8 ? [...new Set(rows.flat().map((c) => c.join(',')))] : [];
  assert.ok(palette.length <= 256);
  const masksAfterHeader = bitfields && headerSize === 40 ? 12 : 0;
  const tables = 14 + headerSize + masksAfterHeader + palette.length * 4;
  const offset = tables + gap;
  const file = Buffer.alloc(offset + rowBytes * height, 0xee); // 0xee: padding/gap must be ignored
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(0, 6);
  file.writeUInt32LE(offset, 10);
  file.fill(0, 14, tables);
  file.writeUInt32LE(headerSize, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(topDown ? -height : height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(bits, 28);
  file.writeUInt32LE(bitfields ? 3 : 0, 30);
  file.writeUInt32LE(rowBytes * height, 34);
  file.writeUInt32LE(palette.length, 46);
  if (bitfields) {
    // masks deliberately not the BI_RGB default order: R in the low byte, B in the third
    file.writeUInt32LE(0x000000ff, 54);
    file.writeUInt32LE(0x0000ff00, 58);
    file.writeUInt32LE(0x00ff0000, 62);
  }
  palette.forEach((key, i) => {
    const [r, g, b] = key.split(',').map(Number);
    file.set([b!, g!, r!, 0], 14 + headerSize + masksAfterHeader + i * 4);
  });
  for (let y = 0; y < height; y++) {
    const stored = topDown ? y : height - 1 - y;
    let at = offset + stored * rowBytes;
    for (const [r, g, b] of rows[y]!) {
      if (bits === 8) {
        file[at++] = palette.indexOf(`${r},${g},${b}`);
      } else if (bits === 16) {
        at = file.writeUInt16LE(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3), at);
      } else if (bits === 24) {
        file[at++] = b; file[at++] = g; file[at++] = r;
      } else if (bitfields) {
        file[at++] = r; file[at++] = g; file[at++] = b; file[at++] = 0x7f;
      } else {
        file[at++] = b; file[at++] = g; file[at++] = r; file[at++] = 0x00;
      }
    }
  }
  return file;
}

/** 17 wide (odd: 24-bit rows need padding) x 15 high, every pixel distinct. */
function pattern(width = 17, height = 15): Rgb[][] {
  return Array.from({ length: height }, (_, y) =>
    Array.from({ length: width }, (_, x): Rgb => [(x * 13 + 1) % 256, (y * 17 + 2) % 256, (x * 7 + y * 11) % 256]));
}

function assertPixels(decoded: { data: Buffer; width: number; height: number; channels: number }, rows: Rgb[][]): void {
  assert.equal(decoded.channels, 3);
  assert.equal(decoded.height, rows.length);
  assert.equal(decoded.width, rows[0]!.length);
  assert.deepEqual([...decoded.data], rows.flat(2));
}

function pngWithHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const type = Buffer.from('IHDR', 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([type, ihdr])) >>> 0);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  // an IDAT of a few KB that would inflate to gigabytes of scanlines if anyone tried
  const idatData = zlib.deflateSync(Buffer.alloc(8 * 1024 * 1024));
  const idatLength = Buffer.alloc(4);
  idatLength.writeUInt32BE(idatData.length);
  const idatType = Buffer.from('IDAT', 'latin1');
  const idatCrc = Buffer.alloc(4);
  idatCrc.writeUInt32BE(zlib.crc32(Buffer.concat([idatType, idatData])) >>> 0);
  const iend = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, type, ihdr, crc,
    idatLength, idatType, idatData, idatCrc, iend,
  ]);
}

test('inspectImage reads format and size from the header of PNG, JPEG and BMP', async () => {
  assert.deepEqual(inspectImage(await solid(321, 123)), { format: 'png', width: 321, height: 123, orientation: 1 });
  assert.deepEqual(inspectImage(await solid(99, 500, 'jpeg')), { format: 'jpeg', width: 99, height: 500, orientation: 1 });
  assert.deepEqual(inspectImage(makeBmp({ rows: pattern(), bits: 24 })), { format: 'bmp', width: 17, height: 15, orientation: 1 });
  assert.deepEqual(inspectImage(makeBmp({ rows: pattern(), bits: 32, topDown: true })), { format: 'bmp', width: 17, height: 15, orientation: 1 });
});

test('a file that is not JPEG, PNG or BMP by its signature is -2', async () => {
  const gif = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#000' } }).gif().toBuffer();
  const webp = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#000' } }).webp().toBuffer();
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n', 'latin1');
  const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
  const bmText = Buffer.from('BM is not a bitmap, just text that starts like one', 'latin1');
  for (const bytes of [gif, webp, pdf, random, bmText, Buffer.alloc(0), Buffer.from([0xff, 0xd8])]) {
    const error = await rejects(() => inspectImage(bytes), '-2');
    assert.match(error.reason, /signature/);
    await rejects(decodeImage(bytes), '-2');
  }
});

test('over 4 MB is -2, exactly 4 MB is judged on its header', async () => {
  const png = await solid(100, 100);
  const atLimit = Buffer.concat([png, Buffer.alloc(MAX_IMAGE_BYTES - png.length)]);
  assert.equal(MAX_IMAGE_BYTES, 4 * 1024 * 1024);
  assert.equal(inspectImage(atLimit).width, 100);
  const over = Buffer.concat([atLimit, Buffer.alloc(1)]);
  const error = await rejects(() => inspectImage(over), '-2');
  assert.match(error.reason, /4194305 bytes/);
});

test('shortest side under 15 px or longest over 4096 px is -2, the edges themselves pass', async () => {
  for (const [w, h] of [[14, 200], [200, 14], [4097, 20], [20, 4097]] as const) {
    for (const format of ['png', 'jpeg'] as const) {
      await rejects(async () => inspectImage(await solid(w, h, format)), '-2');
    }
  }
  await rejects(() => inspectImage(makeBmp({ rows: pattern(17, 14), bits: 24 })), '-2');
  await rejects(() => inspectImage(makeBmp({ rows: pattern(14, 15), bits: 32, topDown: true })), '-2');
  assert.equal(inspectImage(await solid(15, 4096)).height, 4096);
  assert.equal(inspectImage(await solid(4096, 15, 'jpeg')).width, 4096);
});

test('a PNG whose header claims 60000x60000 is -2 from the header, without decoding', async () => {
  const bomb = pngWithHeader(60000, 60000);
  assert.ok(bomb.length < 64 * 1024);
  const before = process.memoryUsage().rss;
  const error = await rejects(decodeImage(bomb), '-2');
  assert.match(error.reason, /60000x60000/);
  assert.ok(process.memoryUsage().rss - before < 256 * 1024 * 1024);
});

test('truncated JPEG and PNG are -3', async () => {
  const jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#884422' } })
    .composite([{ input: await solid(100, 100), left: 50, top: 50 }]).jpeg().toBuffer();
  const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#884422' } })
    .composite([{ input: await solid(100, 100, 'jpeg'), left: 50, top: 50 }]).png().toBuffer();
  for (const bytes of [jpeg, png]) {
    assert.equal((await decodeImage(bytes)).width, 300);
    for (const keep of [0.6, 0.95]) {
      await rejects(decodeImage(bytes.subarray(0, Math.floor(bytes.length * keep))), '-3');
    }
    await rejects(decodeImage(bytes.subarray(0, 20)), '-3'); // signature kept, header cut
  }
});

test('a JPEG with corrupt data after a good header is -3', async () => {
  const jpeg = await solid(64, 64, 'jpeg');
  const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
  const broken = Buffer.concat([jpeg.subarray(0, sos), Buffer.from([0xff, 0xd9])]);
  await rejects(decodeImage(broken), '-3');
});

test('decodeImage gives upright RGB: EXIF orientation 6 is rotated', async () => {
  // stored 40x20: left half red, right half blue; orientation 6 = rotate 90° clockwise to view
  const left = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#ff0000' } }).png().toBuffer();
  const jpeg = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#0000ff' } })
    .composite([{ input: left, left: 0, top: 0 }]).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
  assert.deepEqual(inspectImage(jpeg), { format: 'jpeg', width: 40, height: 20, orientation: 6 });
  const decoded = await decodeImage(jpeg);
  assert.equal(decoded.width, 20);
  assert.equal(decoded.height, 40);
  assert.equal(decoded.data.length, 20 * 40 * 3);
  const at = (x: number, y: number) => [...decoded.data.subarray((y * 20 + x) * 3, (y * 20 + x) * 3 + 3)];
  const [tr, tg, tb] = at(10, 5); // stored left column is now the top row
  assert.ok(tr > 200 && tg < 60 && tb < 60, `top should be red, got ${at(10, 5)}`);
  const [br, bg, bb] = at(10, 34);
  assert.ok(br < 60 && bg < 60 && bb > 200, `bottom should be blue, got ${at(10, 34)}`);
});

test('grey and transparent PNGs decode to 3-channel RGB (alpha over white)', async () => {
  const grey = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#808080' } }).toColourspace('b-w').png().toBuffer();
  const g = await decodeImage(grey);
  assert.equal(g.channels, 3);
  assert.deepEqual([...g.data.subarray(0, 3)], [128, 128, 128]);
  const clear = await sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
  const c = await decodeImage(clear);
  assert.equal(c.data.length, 20 * 20 * 3);
  assert.deepEqual([...c.data.subarray(0, 3)], [255, 255, 255]);
});

test('16-bit PNG and CMYK JPEG come out as 8-bit RGB', async () => {
  const deep = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#804020' } }).png().toColourspace('rgb16').toBuffer();
  assert.equal((await sharp(deep).metadata()).depth, 'ushort');
  const d = await decodeImage(deep);
  assert.deepEqual([d.data.length, ...d.data.subarray(0, 3)], [1200, 0x80, 0x40, 0x20]);
  const cmyk = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#804020' } }).toColourspace('cmyk').jpeg().toBuffer();
  assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
  const c = await decodeImage(cmyk);
  assert.equal(c.data.length, 1200);
  assert.ok(c.data[0]! > c.data[1]! && c.data[1]! > c.data[2]!, 'still orange-brown');
});

test('stray bytes between JPEG segments are skipped as libjpeg does', async () => {
  const jpeg = await solid(30, 20, 'jpeg');
  const app0End = 4 + jpeg.readUInt16BE(4); // SOI, then APP0 of this length
  const padded = Buffer.concat([jpeg.subarray(0, app0End), Buffer.from([0x00, 0x00]), jpeg.subarray(app0End)]);
  assert.deepEqual(inspectImage(padded), { format: 'jpeg', width: 30, height: 20, orientation: 1 });
});

test('BMP 24-bit bottom-up and top-down decode to the exact pixels', async () => {
  const rows = pattern();
  assertPixels(await decodeImage(makeBmp({ rows, bits: 24 })), rows);
  assertPixels(await decodeImage(makeBmp({ rows, bits: 24, topDown: true })), rows);
});

test('BMP 32-bit (BI_RGB and BI_BITFIELDS), bottom-up and top-down, decode to the exact pixels', async () => {
  const rows = pattern(16, 18);
  assertPixels(await decodeImage(makeBmp({ rows, bits: 32 })), rows);
  assertPixels(await decodeImage(makeBmp({ rows, bits: 32, topDown: true })), rows);
  assertPixels(await decodeImage(makeBmp({ rows, bits: 32, bitfields: true })), rows);
  assertPixels(await decodeImage(makeBmp({ rows, bits: 32, bitfields: true, topDown: true, headerSize: 124 })), rows);
  assertPixels(await decodeImage(makeBmp({ rows, bits: 32, headerSize: 108 })), rows); // V4 header, masks zero
});

test('BMP pixel data offset is honoured when there is a gap after the header', async () => {
  const rows = pattern();
  assertPixels(await decodeImage(makeBmp({ rows, bits: 24, gap: 10 })), rows);
  assertPixels(await decodeImage(makeBmp({ rows, bits: 32, topDown: true, headerSize: 124, gap: 6 })), rows);
});

test('BMP 8-bit palette and 16-bit 5-5-5 (the general decoder) give the exact pixels', async () => {
  const rows = pattern();
  assertPixels(await decodeImage(makeBmp({ rows, bits: 8 })), rows);
  assertPixels(await decodeImage(makeBmp({ rows, bits: 8, topDown: true, gap: 5 })), rows);
  const coarse = rows.map((row) => row.map((c) => c.map((v) => v & 0xf8) as Rgb));
  assertPixels(await decodeImage(makeBmp({ rows: coarse, bits: 16 })), coarse);
  assertPixels(await decodeImage(makeBmp({ rows: coarse, bits: 16, topDown: true, headerSize: 108 })), coarse); // V4, masks zero
});

test('a BMP of a few MB decodes within the size rules', async () => {
  const rows = Array.from({ length: 1000 }, (_, y) => Array.from({ length: 1300 }, (_, x): Rgb => [x & 0xff, y & 0xff, (x ^ y) & 0xff]));
  const bmp = makeBmp({ rows, bits: 24 });
  assert.ok(bmp.length > 3_900_000 && bmp.length <= 4 * 1024 * 1024);
  assertPixels(await decodeImage(bmp), rows);
});

test('a truncated or inconsistent BMP is -3, an oversized one -2', async () => {
  const bmp = makeBmp({ rows: pattern(), bits: 24 });
  await rejects(decodeImage(bmp.subarray(0, bmp.length - 1)), '-3');
  await rejects(decodeImage(bmp.subarray(0, 30)), '-3');
  const badOffset = Buffer.from(bmp);
  badOffset.writeUInt32LE(20, 10); // pixels "inside" the header
  await rejects(decodeImage(badOffset), '-3');
  const negativeWidth = Buffer.from(bmp);
  negativeWidth.writeInt32LE(-17, 18);
  await rejects(decodeImage(negativeWidth), '-3');
  const rle = makeBmp({ rows: pattern(), bits: 8 });
  rle.writeUInt32LE(1, 30); // BI_RLE8: refused, not decoded wrongly
  await rejects(decodeImage(rle), '-3');
  const huge = Buffer.from(bmp);
  huge.writeInt32LE(-60000, 22);
  await rejects(decodeImage(huge), '-2');
});
