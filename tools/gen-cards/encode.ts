// Frame pixels -> file bytes: JPEG (optionally with an EXIF orientation tag and the pixels stored
// rotated to match), PNG, and BMP (24-bit and 32-bit, bottom-up, written here since sharp has no
// BMP output).
import sharp from 'sharp';

export type OutputFormat = 'jpeg' | 'png' | 'bmp24' | 'bmp32';
/** EXIF orientations we write: 1 upright, 3 rotate 180, 6 rotate 90 CW to view, 8 rotate 90 CCW */
export type ExifOrientation = 1 | 3 | 6 | 8;

export interface EncodeOptions {
  format: OutputFormat;
  jpegQuality?: number;
  /** gaussian blur sigma in pixels, 0 for none */
  blurSigma?: number;
  exifOrientation?: ExifOrientation;
}

/** clockwise degrees that turn the upright image into the stored pixels for an orientation */
const STORED_ROTATION: Record<ExifOrientation, number> = { 1: 0, 3: 180, 6: 270, 8: 90 };

export function fileExtension(format: OutputFormat): string {
  return format === 'jpeg' ? 'jpg' : format === 'png' ? 'png' : 'bmp';
}

export async function encodeFrame(rgba: Buffer, width: number, height: number, options: EncodeOptions): Promise<Buffer> {
  let img = sharp(rgba, { raw: { width, height, channels: 4 } }).removeAlpha();
  if (options.blurSigma && options.blurSigma >= 0.3) img = img.blur(options.blurSigma);
  if (options.format === 'bmp24' || options.format === 'bmp32') {
    const rgb = await img.raw().toBuffer();
    return encodeBmp(rgb, width, height, options.format === 'bmp24' ? 24 : 32);
  }
  if (options.format === 'png') return img.png({ compressionLevel: 9 }).toBuffer();
  const quality = options.jpegQuality ?? 90;
  const orientation = options.exifOrientation ?? 1;
  if (orientation === 1) return img.jpeg({ quality }).toBuffer();
  const upright = await img.raw().toBuffer();
  return sharp(upright, { raw: { width, height, channels: 3 } })
    .rotate(STORED_ROTATION[orientation])
    .jpeg({ quality })
    .withMetadata({ orientation })
    .toBuffer();
}

export function encodeBmp(rgb: Buffer, width: number, height: number, bits: 24 | 32): Buffer {
  const bytesPerPixel = bits / 8;
  const rowSize = (width * bytesPerPixel + 3) & ~3;
  const dataSize = rowSize * height;
  const out = Buffer.alloc(54 + dataSize);
  out.write('BM', 0, 'ascii');
  out.writeUInt32LE(54 + dataSize, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22); // positive: bottom-up
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(bits, 28);
  out.writeUInt32LE(0, 30); // BI_RGB
  out.writeUInt32LE(dataSize, 34);
  out.writeInt32LE(2835, 38); // 72 dpi
  out.writeInt32LE(2835, 42);
  for (let y = 0; y < height; y++) {
    let o = 54 + (height - 1 - y) * rowSize;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      out[o++] = rgb[i + 2]!;
      out[o++] = rgb[i + 1]!;
      out[o++] = rgb[i]!;
      if (bits === 32) out[o++] = 255;
    }
  }
  return out;
}

/** Read back what encodeBmp writes (uncompressed 24/32-bit, either row order), for tests. */
export function decodeBmp(bytes: Buffer): { width: number; height: number; bits: number; rgb: Buffer } {
  if (bytes.toString('ascii', 0, 2) !== 'BM') throw new Error('not a BMP');
  const offset = bytes.readUInt32LE(10);
  const width = bytes.readInt32LE(18);
  const rawHeight = bytes.readInt32LE(22);
  const bits = bytes.readUInt16LE(28);
  if (bits !== 24 && bits !== 32) throw new Error(`unsupported BMP depth ${bits}`);
  const height = Math.abs(rawHeight);
  const bpp = bits / 8;
  const rowSize = (width * bpp + 3) & ~3;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = offset + (rawHeight > 0 ? height - 1 - y : y) * rowSize;
    for (let x = 0; x < width; x++) {
      const s = row + x * bpp, d = (y * width + x) * 3;
      rgb[d] = bytes[s + 2]!;
      rgb[d + 1] = bytes[s + 1]!;
      rgb[d + 2] = bytes[s]!;
    }
  }
  return { width, height, bits, rgb };
}
