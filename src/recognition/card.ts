// Where the card is and which way up: from the detected text boxes, the dominant text-line
// angle gives the skew modulo 180°, the direction classifier (and, when it is unsure, reading
// the longest lines both ways) chooses between the two readings, and every box is re-expressed
// in the card's own frame (u along the lines, v down the card).
import type { OcrModels } from './ocr/engine.ts';
import { upsideDownEvidence } from './ocr/classify.ts';
import { normalizeRect, wrapHalfTurn, wrapTurn, type Point, type RotatedRect } from './ocr/geometry.ts';
import type { TextBox } from './ocr/detect.ts';
import type { RgbImage } from './pixels.ts';
import type { Quad } from './types.ts';
import { groupsApart } from './text-groups.ts';

export interface CardBox extends RotatedRect {
  /** centre in the card frame */
  u: number;
  v: number;
  score: number;
  /** how the line climbs or falls across the card (dv/du): perspective tilts rows apart */
  slope?: number;
}

export interface CardFrame {
  /** reading direction of the card's text lines in the image, radians */
  angle: number;
  /** the quarter turn nearest `angle`, as the contract's `rotation`: 0, 90, 180 or 270 */
  rotation: number;
  /** `angle` minus that quarter turn, in degrees */
  skew: number;
  boxes: CardBox[];
  /** how sure the direction choice is (0..1) */
  directionConfidence: number;
}

/** The dominant axis of the text lines (modulo pi), weighted by how line-like each box is. */
export function dominantAxis(boxes: TextBox[]): number | null {
  let sx = 0, sy = 0;
  for (const b of boxes) {
    const elong = b.w / Math.max(1, b.h);
    if (elong < 1.8) continue;
    const weight = b.w * Math.min(4, elong - 1.5);
    sx += weight * Math.cos(2 * b.angle);
    sy += weight * Math.sin(2 * b.angle);
  }
  if (sx === 0 && sy === 0) return null;
  return Math.atan2(sy, sx) / 2;
}

/** Re-express a box along the reading direction `dir`: keep its own angle when it is a line
 *  roughly along `dir`, otherwise (short, square boxes) align it with `dir`. */
export function alignBox(b: TextBox, dir: number): RotatedRect {
  const diff = wrapHalfTurn(b.angle - dir);
  if (b.w / Math.max(1, b.h) >= 1.4 && Math.abs(diff) < (20 * Math.PI) / 180) {
    return { cx: b.cx, cy: b.cy, w: b.w, h: b.h, angle: dir + diff };
  }
  const c = Math.cos(b.angle - dir), s = Math.sin(b.angle - dir);
  const w = Math.abs(b.w * c) + Math.abs(b.h * s);
  const h = Math.abs(b.w * s) + Math.abs(b.h * c);
  return { cx: b.cx, cy: b.cy, w, h, angle: dir };
}

/** the steepest a row may climb across the card (7°): past that it is another row or noise */
const MAX_SLOPE = 0.12;

export function toCardFrame(boxes: TextBox[], dir: number): CardBox[] {
  const c = Math.cos(dir), s = Math.sin(dir);
  return boxes.map((b) => {
    const r = alignBox(b, dir);
    // only a long box shows its line's direction; a short one's angle is mostly noise
    const slope = r.w >= 3 * r.h ? Math.max(-MAX_SLOPE, Math.min(MAX_SLOPE, Math.tan(wrapHalfTurn(r.angle - dir)))) : 0;
    return { ...r, u: b.cx * c + b.cy * s, v: -b.cx * s + b.cy * c, score: b.score, slope };
  });
}

export type SecondOpinion = (dirs: [number, number]) => Promise<[number, number]>;

/** The contract's `rotation` for a reading direction (radians, image coordinates): the quarter
 *  turn, 0, 90, 180 or 270, that brings text running that way upright. */
export function quarterTurn(direction: number): number {
  const quarter = Math.round(wrapTurn(direction) / (Math.PI / 2));
  return (((-quarter * 90) % 360) + 360) % 360;
}

/**
 * Find the reading direction. `secondOpinion`, when given, scores both candidate directions
 * (e.g. by recognising the longest lines both ways) and is consulted when the classifier is
 * not sure.
 */
export async function findCardFrame(models: OcrModels, img: RgbImage, boxes: TextBox[], secondOpinion?: SecondOpinion): Promise<CardFrame> {
  const axis = dominantAxis(boxes) ?? 0;
  const lines = boxes
    .map((b) => normalizeRect(b))
    .filter((b) => b.w / Math.max(1, b.h) >= 1.8)
    .sort((a, b) => b.w - a.w)
    .slice(0, 6)
    .map((b) => alignBox({ ...b, score: 1 }, axis));
  const evidence = await upsideDownEvidence(models, img, lines);
  let dir = evidence > 0 ? axis + Math.PI : axis;
  let confidence = 1 - 1 / (1 + Math.exp(Math.abs(evidence)));
  if (secondOpinion && Math.abs(evidence) < 4 * Math.max(1, lines.length / 2)) {
    const [a, b] = await secondOpinion([axis, axis + Math.PI]);
    if (a !== b) {
      dir = a > b ? axis : axis + Math.PI;
      confidence = Math.max(a, b) / Math.max(1e-6, a + b);
    }
  }
  dir = wrapTurn(dir);
  const quarter = Math.round(dir / (Math.PI / 2));
  const rotation = quarterTurn(dir);
  const skew = ((dir - quarter * (Math.PI / 2)) * 180) / Math.PI;
  return { angle: dir, rotation, skew, boxes: splitStacked(toCardFrame(boxes, dir)), directionConfidence: confidence };
}

/** `b` made `w` wide and moved `du` along its line and `dv` across it, in the card frame (u, v)
 *  and in the image (cx, cy) alike. */
export function movedBox(b: CardBox, du: number, dv: number, w: number): CardBox {
  const cos = Math.cos(b.angle), sin = Math.sin(b.angle);
  return { ...b, w, u: b.u + du, v: b.v + dv, cx: b.cx + du * cos - dv * sin, cy: b.cy + du * sin + dv * cos };
}

/** Card corners in image coordinates from a rectangle in the card frame. */
export function quadFromFrame(dir: number, u0: number, v0: number, u1: number, v1: number): Quad {
  const c = Math.cos(dir), s = Math.sin(dir);
  const at = (u: number, v: number): [number, number] => [Math.round(u * c - v * s), Math.round(u * s + v * c)];
  return [at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)];
}

export type { Point };

/** The median height of the boxes shaped like lines, when there are three or more. */
function lineHeight(boxes: CardBox[]): number | undefined {
  const heights = boxes.filter((b) => b.w / Math.max(1, b.h) > 2.5).map((b) => b.h).sort((a, b) => a - b);
  return heights.length >= 3 ? heights[heights.length >> 1] : undefined;
}

/**
 * Two or three lines the detector merged into one box (small text, tight leading) are split
 * back into single lines: a box about k times as high as the card's lines becomes k boxes.
 */
export function splitStacked(boxes: CardBox[]): CardBox[] {
  const all = lineHeight(boxes);
  // the lines' height is taken in each group of text that lies apart (text-groups.ts): beside a
  // page of small print, a card's own lines are not two or three of the page's
  const heightOf = new Map<CardBox, number>();
  for (const group of groupsApart(boxes, (b) => b)) {
    const h = lineHeight(group) ?? all;
    if (h) for (const b of group) heightOf.set(b, h);
  }
  const out: CardBox[] = [];
  for (const b of boxes) {
    const h = heightOf.get(b);
    if (!h) {
      out.push(b);
      continue;
    }
    const k = Math.round(b.h / h);
    if (b.h < 1.7 * h || k < 2 || b.w < 2 * b.h) {
      out.push(b);
      continue;
    }
    const c = Math.cos(b.angle), s = Math.sin(b.angle);
    const step = b.h / k;
    for (let i = 0; i < k; i++) {
      const off = (i - (k - 1) / 2) * step;
      // across the line is the rect's +v direction: (-sin, cos)
      out.push({ ...b, cx: b.cx - s * off, cy: b.cy + c * off, h: step * 1.15, v: b.v + off });
    }
  }
  return out;
}
