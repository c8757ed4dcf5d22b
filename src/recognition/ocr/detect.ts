// Text detection: PP-OCRv4 DB model on a downscaled copy, then the DB post-process
// (threshold 0.3, box score 0.6, unclip 1.5) giving rotated rectangles in source pixels.
import type { OcrModels } from './engine.ts';
import { runFilled } from './engine.ts';
import { convexHull, minAreaRect, type RotatedRect } from './geometry.ts';
import { resizeRgb, type RgbImage } from '../pixels.ts';
import { normalizeRect } from './geometry.ts';

export interface TextBox extends RotatedRect {
  score: number;
}

export interface DetectOptions {
  /** long side of the image fed to the model */
  maxSide?: number;
  threshold?: number;
  boxThreshold?: number;
  unclipRatio?: number;
}

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
/** (x / 255 - mean) / std for every byte value, per model channel (B, G, R) */
const NORMALISED = [0, 1, 2].map((c) => Float32Array.from({ length: 256 }, (_, x) => (x / 255 - MEAN[c]!) / STD[c]!));

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Detect text in `img` (or in `region` of it), the model seeing a copy whose long side is
 * `maxSide` (rounded to multiples of 32). Boxes come back in `img` pixels.
 */
export async function detectText(models: OcrModels, img: RgbImage, opts: DetectOptions & { region?: Region } = {}): Promise<TextBox[]> {
  const maxSide = opts.maxSide ?? 960;
  const reg = opts.region ?? { x: 0, y: 0, width: img.width, height: img.height };
  const scale = maxSide / Math.max(reg.width, reg.height);
  const rw = Math.max(32, Math.round((reg.width * scale) / 32) * 32);
  const rh = Math.max(32, Math.round((reg.height * scale) / 32) * 32);
  const small = await resizeRgb(img, rw, rh, opts.region);
  const n = rw * rh;
  const out = await runFilled(models.det, [1, 3, rh, rw], (input) => {
    // The model was trained on BGR (OpenCV) input.
    const [b, g, r] = NORMALISED;
    const px = small.data;
    for (let i = 0, p = 0; i < n; i++, p += 3) {
      input[i] = b[px[p + 2]!]!;
      input[n + i] = g[px[p + 1]!]!;
      input[2 * n + i] = r[px[p]!]!;
    }
  });
  const boxes = dbPostProcess(out.data, rw, rh, opts);
  const sx = reg.width / rw, sy = reg.height / rh;
  return boxes.map((b) => {
    const r = scaleRect(b, sx, sy);
    return { ...r, cx: r.cx + reg.x, cy: r.cy + reg.y };
  });
}

function scaleRect(b: TextBox, sx: number, sy: number): TextBox {
  const c = Math.cos(b.angle), s = Math.sin(b.angle);
  const w = Math.hypot(b.w * c * sx, b.w * s * sy);
  const h = Math.hypot(b.h * s * sx, b.h * c * sy);
  return { ...normalizeRect({ cx: b.cx * sx, cy: b.cy * sy, w, h, angle: Math.atan2(s * sy, c * sx) }), score: b.score };
}

/**
 * The flood fill's label map and stack, kept between calls: two fresh pixel-sized Int32Arrays per
 * pass (5.6 MB at 960 x 720) were garbage for the collector on every image.
 */
let flood = { label: new Int32Array(0), stack: new Int32Array(0) };
function floodBuffers(n: number): { label: Int32Array; stack: Int32Array } {
  if (flood.label.length < n) flood = { label: new Int32Array(n), stack: new Int32Array(n) };
  else flood.label.fill(0, 0, n);
  return { label: flood.label, stack: flood.stack };
}

/** Connected regions of the probability map above `threshold`, as scored, unclipped rects. */
export function dbPostProcess(pred: Float32Array, width: number, height: number, opts: DetectOptions = {}): TextBox[] {
  const thr = opts.threshold ?? 0.3;
  const boxThr = opts.boxThreshold ?? 0.6;
  const ratio = opts.unclipRatio ?? 1.5;
  const { label, stack } = floodBuffers(width * height);
  const pts: number[] = [];
  const boxes: TextBox[] = [];
  let next = 0;
  for (let start = 0; start < width * height; start++) {
    if (label[start] !== 0 || pred[start]! <= thr) continue;
    next++;
    let sp = 0;
    stack[sp++] = start;
    label[start] = next;
    pts.length = 0;
    let sum = 0, count = 0;
    while (sp > 0) {
      const p = stack[--sp]!;
      const x = p % width, y = (p - x) / width;
      sum += pred[p]!;
      count++;
      let edge = false;
      for (let k = 0; k < 4; k++) {
        const nx = k === 0 ? x - 1 : k === 1 ? x + 1 : x;
        const ny = k === 2 ? y - 1 : k === 3 ? y + 1 : y;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) { edge = true; continue; }
        const q = ny * width + nx;
        if (pred[q]! <= thr) { edge = true; continue; }
        if (label[q] === 0) { label[q] = next; stack[sp++] = q; }
      }
      if (edge) pts.push(x, y);
    }
    if (count < 6 || sum / count < boxThr) continue;
    const r = minAreaRect(convexHull(pts, pts.length / 2));
    // pixel centres -> pixel extents
    const w0 = r.w + 1, h0 = r.h + 1;
    if (Math.min(w0, h0) < 3) continue;
    const d = (w0 * h0 * ratio) / (2 * (w0 + h0));
    const w = w0 + 2 * d, h = h0 + 2 * d;
    if (Math.min(w, h) < 5) continue;
    boxes.push({ cx: r.cx + 0.5, cy: r.cy + 0.5, w, h, angle: r.angle, score: sum / count });
  }
  return boxes;
}

/** Median text height of boxes, in pixels of the image they are expressed in. */
export function medianHeight(boxes: TextBox[]): number {
  if (!boxes.length) return 0;
  const hs = boxes.map((b) => b.h).sort((a, b) => a - b);
  return hs[hs.length >> 1]!;
}

/**
 * Two passes: a quick look at the whole image; when the text came out small (a card far from
 * the camera) a second look at the region holding the text, scaled so lines are ~24 px high —
 * or, when only a few small boxes were found (too few to trust their extent as the card's), at
 * the whole image again at up to 960 px.
 */
export async function locateText(models: OcrModels, img: RgbImage): Promise<TextBox[]> {
  return (await locateTextAt(models, img)).boxes;
}

/**
 * The whole image's long side in the closest look locateText takes (a few small boxes). It was
 * 1280: that look was the largest single transient of a worker (+105–135 MB at 1280 × 960, against
 * +36–54 MB for a second look of at most 960), and the pool's peak RSS was set where it met the
 * other worker's detection or decode. At 960 the reads were the same: whole-card counts equal
 * on seeds 7, 23, 41 and 53 (1,000 images, 5–8 per seed taking this look) and on seed 1's 67
 * 'large' photos; one name more right (seed 23), one back's doubted authority 0.87 → 0.89.
 */
const CLOSEST_LOOK = 960;

/** The scale (model pixels per image pixel) of the closest look at the whole image. */
export function closestScale(img: RgbImage): number {
  const longSide = Math.max(img.width, img.height);
  return Math.min(CLOSEST_LOOK, longSide) / longSide;
}

/** The whole image again, as closely as locateText ever looks at it. */
export async function closestLook(models: OcrModels, img: RgbImage): Promise<{ boxes: TextBox[]; scale: number }> {
  const scale = closestScale(img);
  return { boxes: await detectText(models, img, { maxSide: Math.round(scale * Math.max(img.width, img.height)) }), scale };
}

/**
 * locateText's boxes, and the scale the model saw the image at in the look they came from
 * (model pixels per image pixel).
 */
export async function locateTextAt(models: OcrModels, img: RgbImage): Promise<{ boxes: TextBox[]; scale: number }> {
  const first = 640;
  const boxes = await detectText(models, img, { maxSide: first });
  const longSide = Math.max(img.width, img.height);
  const scale = Math.min(1, first / Math.max(img.width, img.height));
  if (boxes.length === 0) return { boxes, scale };
  const h = medianHeight(boxes) * scale;
  // text large enough to read, however few the lines: a card's back has four or five, and
  // looking again at 1280 px (2.5x this pass) found nothing more on the 32 such images of the
  // bench set (sides all right, backs read as well, 37 % less CPU on them)
  if (h >= 22) return { boxes, scale };
  // a few small boxes: too few to trust their extent as the card's, so the whole image again
  if (boxes.length < 6) return longSide > first * 1.2 ? closestLook(models, img) : { boxes, scale };
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const b of boxes) {
    const r = Math.hypot(b.w, b.h) / 2;
    x0 = Math.min(x0, b.cx - r); y0 = Math.min(y0, b.cy - r);
    x1 = Math.max(x1, b.cx + r); y1 = Math.max(y1, b.cy + r);
  }
  const pad = 4 * medianHeight(boxes);
  const region = {
    x: Math.max(0, Math.floor(x0 - pad)),
    y: Math.max(0, Math.floor(y0 - pad)),
    width: 0,
    height: 0,
  };
  region.width = Math.min(img.width, Math.ceil(x1 + pad)) - region.x;
  region.height = Math.min(img.height, Math.ceil(y1 + pad)) - region.y;
  const want = Math.max(region.width, region.height) * (26 / Math.max(1, medianHeight(boxes)));
  const maxSide = Math.min(960, Math.max(first, want));
  if (maxSide <= first * 1.15 && region.width * region.height > 0.8 * img.width * img.height) return { boxes, scale };
  return { boxes: await detectText(models, img, { maxSide, region }), scale: maxSide / Math.max(region.width, region.height) };
}
