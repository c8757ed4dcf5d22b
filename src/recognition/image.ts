// The image rules of the seed (图像格式错误 -2, 图像无法加载 -3) and decoding to RGB pixels.
//
// `inspectImage` judges a file from its header alone — signature, then the dimensions the header
// declares — so a file that claims 60000x60000 is refused before a single pixel is allocated.
// `decodeImage` always runs `inspectImage` first, and sharp additionally gets
// `limitInputPixels`, so a header that lies to our parser cannot lie its way into a huge decode.
//
// BMP, which sharp does not read, is decoded in image-bmp.ts.
//
// `maxSide` (the engine's: RECOGNITION_MAX_SIDE) reduces a larger image while it is decoded:
// libvips streams the JPEG's rows through the reduction, so a 4096x3072 photo never exists at
// full size in memory (37.7 MB of RGB, twice that while an EXIF quarter turn is applied, which
// now turns the reduced image instead).
import sharp from 'sharp';
import { decodeBmpToRgb } from './image-bmp.ts';

export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;
export const MIN_IMAGE_SIDE = 15;
export const MAX_IMAGE_SIDE = 4096;

export type ImageFormat = 'jpeg' | 'png' | 'bmp';

export interface ImageInfo {
  format: ImageFormat;
  /** as stored in the file, before EXIF orientation */
  width: number;
  height: number;
  /** EXIF orientation 1..8 (JPEG); 1 when absent. 5..8 mean the upright image is height x width. */
  orientation: number;
}

/**
 * The recognition engine (engine-local.ts) decodes an image whose long side is over
 * RECOGNITION_MAX_SIDE reduced to RECOGNITION_REDUCED_SIDE: nothing downstream reads finer — text
 * detection looks at 960 px at most, and lines are cropped from a copy where text is at most
 * 72 px high. A 4096 px photo (the largest the API accepts) comes out at half size, an exact
 * 2:1 reduction; scans and photos up to 2560 px are decoded whole (a reduction by a few percent
 * would only blur them, for a few MB).
 */
export const RECOGNITION_MAX_SIDE = 2560;
export const RECOGNITION_REDUCED_SIDE = 2048;

export interface DecodedImage {
  /** packed RGB, row-major, upright (EXIF orientation applied) */
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
  /** the image's own upright size: larger than width x height when `maxSide` reduced it */
  sourceWidth: number;
  sourceHeight: number;
}

export interface DecodeOptions {
  /** an image whose long side is larger than this is reduced (cubic kernel, aspect kept: on the
   *  bench's 4096 px photos it read like the full-size decode, where linear lost one name) ... */
  maxSide?: number;
  /** ... to this long side (default and at most `maxSide`) */
  reduceTo?: number;
}

/** A refused image: '-2' 图像格式错误 (signature, size, dimensions) or '-3' 图像无法加载 (a
 *  JPEG/PNG/BMP that cannot be read). `reason` is for the detail log, never for the client. */
export class ImageRejected extends Error {
  readonly code: '-2' | '-3';
  readonly reason: string;
  constructor(code: '-2' | '-3', reason: string) {
    super(`image rejected (${code}): ${reason}`);
    this.name = 'ImageRejected';
    this.code = code;
    this.reason = reason;
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** DIB header sizes we know: BITMAPCOREHEADER, INFO, V2, V3, OS/2 v2 (64), V4, V5 */
const BMP_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

export function inspectImage(bytes: Buffer): ImageInfo {
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new ImageRejected('-2', `${bytes.length} bytes, over the ${MAX_IMAGE_BYTES} byte limit`);
  }
  const info = readHeader(bytes);
  const shortest = Math.min(info.width, info.height);
  const longest = Math.max(info.width, info.height);
  if (shortest < MIN_IMAGE_SIDE) {
    throw new ImageRejected('-2', `${info.format} ${info.width}x${info.height}: shortest side under ${MIN_IMAGE_SIDE}px`);
  }
  if (longest > MAX_IMAGE_SIDE) {
    throw new ImageRejected('-2', `${info.format} ${info.width}x${info.height}: longest side over ${MAX_IMAGE_SIDE}px`);
  }
  return info;
}

function readHeader(bytes: Buffer): ImageInfo {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return readJpegHeader(bytes);
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return readPngHeader(bytes);
  if (bytes.length >= 18 && bytes[0] === 0x42 && bytes[1] === 0x4d && BMP_HEADER_SIZES.has(bytes.readUInt32LE(14))) {
    return readBmpHeader(bytes);
  }
  throw new ImageRejected('-2', 'not JPEG, PNG or BMP by its signature');
}

function readPngHeader(bytes: Buffer): ImageInfo {
  // The first chunk must be IHDR: length 13, type, width, height (big-endian).
  if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    throw new ImageRejected('-3', 'PNG without a readable IHDR chunk');
  }
  return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), orientation: 1 };
}

function readBmpHeader(bytes: Buffer): ImageInfo {
  const headerSize = bytes.readUInt32LE(14);
  if (headerSize === 12) {
    if (bytes.length < 26) throw new ImageRejected('-3', 'BMP core header truncated');
    return { format: 'bmp', width: bytes.readUInt16LE(18), height: bytes.readUInt16LE(20), orientation: 1 };
  }
  if (bytes.length < 26) throw new ImageRejected('-3', 'BMP info header truncated');
  const width = bytes.readInt32LE(18);
  const height = bytes.readInt32LE(22); // negative: rows stored top-down
  if (width < 0) throw new ImageRejected('-3', `BMP with negative width ${width}`);
  return { format: 'bmp', width, height: Math.abs(height), orientation: 1 };
}

/** Walks the marker segments up to the first SOFn without decoding anything; picks up the
 *  EXIF orientation from an APP1 segment on the way. */
function readJpegHeader(bytes: Buffer): ImageInfo {
  let pos = 2;
  let orientation = 1;
  while (pos < bytes.length) {
    // Like libjpeg, skip stray bytes before a marker (some writers leave them) and fill bytes.
    while (pos < bytes.length && bytes[pos] !== 0xff) pos++;
    while (pos < bytes.length && bytes[pos] === 0xff) pos++;
    if (pos >= bytes.length) break;
    const marker = bytes[pos++]!;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9 || marker === 0xda) throw new ImageRejected('-3', 'JPEG: no frame header before the scan');
    if (pos + 2 > bytes.length) break;
    const length = bytes.readUInt16BE(pos);
    if (length < 2) throw new ImageRejected('-3', 'JPEG: bad segment length');
    const end = pos + length;
    if (isStartOfFrame(marker)) {
      if (end > bytes.length || length < 7) break;
      const height = bytes.readUInt16BE(pos + 3);
      const width = bytes.readUInt16BE(pos + 5);
      return { format: 'jpeg', width, height, orientation };
    }
    if (marker === 0xe1 && end <= bytes.length) {
      orientation = exifOrientation(bytes.subarray(pos + 2, end)) ?? orientation;
    }
    pos = end;
  }
  throw new ImageRejected('-3', 'JPEG truncated before its frame header');
}

function isStartOfFrame(marker: number): boolean {
  // C0..CF are SOFn except C4 (DHT), C8 (JPG extension) and CC (DAC)
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Orientation tag (0x0112) of IFD0 in an APP1 "Exif\0\0" payload, or undefined. */
function exifOrientation(app1: Buffer): number | undefined {
  if (app1.length < 14 || app1.toString('latin1', 0, 6) !== 'Exif\0\0') return undefined;
  const tiff = app1.subarray(6);
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return undefined;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return undefined;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}

/** RGB pixels, upright. Refuses with '-2' what `inspectImage` refuses, '-3' what cannot be read. */
export async function decodeImage(bytes: Buffer, opts: DecodeOptions = {}): Promise<DecodedImage> {
  const info = inspectImage(bytes);
  const turned = info.orientation >= 5;
  const sourceWidth = turned ? info.height : info.width;
  const sourceHeight = turned ? info.width : info.height;
  const reduce = opts.maxSide !== undefined && Math.max(info.width, info.height) > opts.maxSide;
  const side = Math.min(opts.maxSide ?? Infinity, opts.reduceTo ?? Infinity);
  if (info.format === 'bmp') {
    const bmp = decodeBmpImage(bytes, info);
    return reduce ? { ...(await reduceRaw(bmp, side)), sourceWidth, sourceHeight } : bmp;
  }
  try {
    let pipeline = sharp(bytes, {
      limitInputPixels: MAX_IMAGE_SIDE * MAX_IMAGE_SIDE,
      failOn: 'truncated',
      sequentialRead: true,
      // no colour management: an embedded profile (phones tag their photos; Display P3 or
      // sRGB) would cost a conversion of every pixel — 100-190 ms of CPU on a 4096x3072
      // photo, and for the sRGB profile the generator writes, not a single byte different
      ignoreIcc: true,
    });
    // before autoOrient(): sharp then reduces first and turns the small image (after it, sharp
    // would turn the full-size image first, which takes a second full-size copy)
    if (reduce) pipeline = pipeline.resize(side, side, { fit: 'inside', kernel: 'cubic' });
    const { data, info: out } = await pipeline
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (out.channels !== 3) throw new Error(`expected 3 channels, got ${out.channels}`);
    return { data, width: out.width, height: out.height, channels: 3, sourceWidth, sourceHeight };
  } catch (error) {
    throw new ImageRejected('-3', `${info.format} cannot be decoded: ${(error as Error).message}`);
  }
}

/** A decoded image reduced to `side` on its long side, the same way sharp reduces a JPEG. */
async function reduceRaw(img: DecodedImage, side: number): Promise<Omit<DecodedImage, 'sourceWidth' | 'sourceHeight'>> {
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(side, side, { fit: 'inside', kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

function decodeBmpImage(bytes: Buffer, info: ImageInfo): DecodedImage {
  let decoded;
  try {
    decoded = decodeBmpToRgb(bytes);
  } catch (error) {
    throw new ImageRejected('-3', `bmp cannot be decoded: ${(error as Error).message}`);
  }
  if (decoded.width !== info.width || decoded.height !== info.height) {
    throw new ImageRejected('-3', `bmp decoded as ${decoded.width}x${decoded.height}, header says ${info.width}x${info.height}`);
  }
  return { ...decoded, channels: 3, sourceWidth: decoded.width, sourceHeight: decoded.height };
}
