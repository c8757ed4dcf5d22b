// Pixel buffers and the few pixel operations the pipeline needs beyond sharp.
import sharp from 'sharp';
import type { RotatedRect } from './ocr/geometry.ts';

/** Interleaved 8-bit RGB, row-major, no padding. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export async function resizeRgb(
  img: RgbImage,
  width: number,
  height: number,
  region?: { x: number; y: number; width: number; height: number },
): Promise<RgbImage> {
  let pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  if (region) pipeline = pipeline.extract({ left: region.x, top: region.y, width: region.width, height: region.height });
  const { data, info } = await pipeline
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** An image turned clockwise about its centre onto a canvas that holds all of it (the corners
 *  mid grey), and the map from its pixels back to the original's. */
export interface TurnedImage {
  img: RgbImage;
  /** a point of the turned image, in the original image's pixels */
  toOriginal(p: readonly [number, number]): [number, number];
}

export async function turnRgb(img: RgbImage, degrees: number): Promise<TurnedImage> {
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .rotate(degrees, { background: { r: 128, g: 128, b: 128 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const t = (degrees * Math.PI) / 180, cos = Math.cos(t), sin = Math.sin(t);
  const cx = img.width / 2, cy = img.height / 2, tx = info.width / 2, ty = info.height / 2;
  return {
    img: { data, width: info.width, height: info.height },
    // clockwise in image coordinates (y down) is a positive angle: undo it
    toOriginal: ([x, y]) => [cx + (x - tx) * cos + (y - ty) * sin, cy - (x - tx) * sin + (y - ty) * cos],
  };
}

/**
 * Sample a rotated rectangle of `img` into an upright `outW` x `outH` RGB patch (bilinear),
 * the rect's own x axis becoming the patch's x axis. Outside the image reads as mid grey.
 */
export function cropRotated(img: RgbImage, r: RotatedRect, outW: number, outH: number, out?: Uint8Array): Uint8Array {
  const dst = out ?? new Uint8Array(outW * outH * 3);
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
      const q = p + yn;
      // the three channels written out (the same arithmetic as a loop over them, ~25 % less CPU)
      let a = data[p]!, b = data[p + xn]!, d = data[q]!, e = data[q + xn]!;
      let top = a + (b - a) * fx, bot = d + (e - d) * fx;
      dst[o++] = (top + (bot - top) * fy + 0.5) | 0;
      a = data[p + 1]!; b = data[p + 1 + xn]!; d = data[q + 1]!; e = data[q + 1 + xn]!;
      top = a + (b - a) * fx; bot = d + (e - d) * fx;
      dst[o++] = (top + (bot - top) * fy + 0.5) | 0;
      a = data[p + 2]!; b = data[p + 2 + xn]!; d = data[q + 2]!; e = data[q + 2 + xn]!;
      top = a + (b - a) * fx; bot = d + (e - d) * fx;
      dst[o++] = (top + (bot - top) * fy + 0.5) | 0;
    }
  }
  return dst;
}
