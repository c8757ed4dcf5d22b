// Put a flat card (or any flat sheet) into a frame: surface, pose, shadow, hand, lighting,
// glare and noise. The warp is an inverse-mapped homography with bilinear sampling, so edges
// are antialiased and the corner points recorded in the ground truth are exact.
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { overlayNoise, paintHand, paintSurface, paintThumb, type Surface } from './backgrounds.ts';
import { apply, bounds, edgeLength, homography, projectCard, type Homography, type Pose, type Quad } from './geometry.ts';
import type { Random } from './random.ts';

export interface ScenePlan {
  width: number;
  height: number;
  surface: Surface;
  /** the card's long extent (before in-plane rotation) over the frame's long side, 0.3–0.95;
   *  clamped so the rotated card stays inside the frame */
  cardFraction: number;
  /** when set, the card's top edge is about this many pixels long (low-resolution inputs) */
  cardWidthPx?: number;
  pose: Pose;
  shadow: boolean;
  hand: boolean;
  /** peak opacity of a glare spot, 0 for none */
  glare: number;
  /** how much darker the dark side is (0..0.6), 0 for even light */
  unevenLight: number;
  /** sensor noise opacity */
  noise: number;
}

export interface Sheet {
  widthMm: number;
  heightMm: number;
  /** draw the flat sheet at k pixels per millimetre */
  render(k: number): Canvas;
  /** where a thumb may overlap without covering text: x in mm beyond the right edge */
  thumbSafeMm?: number;
}

export interface ComposedScene {
  canvas: Canvas;
  /** the sheet's corners TL, TR, BR, BL (its own), in frame pixels */
  quad: Quad;
  /** the sheet's top edge length in frame pixels */
  sheetWidthPx: number;
}

function placeQuad(sheet: Sheet, plan: ScenePlan, rng: Random): Quad {
  const proj = projectCard(sheet.widthMm, sheet.heightMm, plan.pose);
  const b = bounds(proj);
  const bw = b.maxX - b.minX, bh = b.maxY - b.minY;
  const fit = Math.min(plan.width / bw, plan.height / bh);
  // the fraction sizes the card against the frame's long side whatever its rotation, then the
  // rotated card must still fit inside the frame
  const upright = bounds(projectCard(sheet.widthMm, sheet.heightMm, { ...plan.pose, rollDeg: 0 }));
  const uprightLong = Math.max(upright.maxX - upright.minX, upright.maxY - upright.minY);
  let s = Math.min((plan.cardFraction * Math.max(plan.width, plan.height)) / uprightLong, 0.97 * fit);
  if (plan.cardWidthPx) s = Math.min(plan.cardWidthPx / edgeLength(proj[0], proj[1]), 0.97 * fit);
  const tx = rng.float(0, Math.max(0, plan.width - bw * s)) - b.minX * s;
  const ty = rng.float(0, Math.max(0, plan.height - bh * s)) - b.minY * s;
  return proj.map(([x, y]) => [x * s + tx, y * s + ty]) as Quad;
}

/** Draw `src` (RGBA, straight alpha) through `inv` (frame px -> src px) over `dst`. */
function warpInto(dst: Uint8ClampedArray, W: number, H: number, src: Uint8ClampedArray, sw: number, sh: number, inv: Homography, quad: Quad): void {
  const b = bounds(quad);
  const x0 = Math.max(0, Math.floor(b.minX) - 1), x1 = Math.min(W - 1, Math.ceil(b.maxX) + 1);
  const y0 = Math.max(0, Math.floor(b.minY) - 1), y1 = Math.min(H - 1, Math.ceil(b.maxY) + 1);
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = inv as [number, number, number, number, number, number, number, number, number];
  for (let y = y0; y <= y1; y++) {
    const Y = y + 0.5;
    for (let x = x0; x <= x1; x++) {
      const X = x + 0.5;
      const w = h6 * X + h7 * Y + h8;
      const u = (h0 * X + h1 * Y + h2) / w - 0.5;
      const v = (h3 * X + h4 * Y + h5) / w - 0.5;
      if (u <= -1 || v <= -1 || u >= sw || v >= sh) continue;
      const iu = Math.floor(u), iv = Math.floor(v);
      const fu = u - iu, fv = v - iv;
      let a = 0, r = 0, g = 0, bl = 0;
      for (let j = 0; j < 2; j++) {
        const sy = iv + j;
        if (sy < 0 || sy >= sh) continue;
        const wy = j ? fv : 1 - fv;
        for (let i = 0; i < 2; i++) {
          const sx = iu + i;
          if (sx < 0 || sx >= sw) continue;
          const o = (sy * sw + sx) * 4;
          const wa = wy * (i ? fu : 1 - fu) * (src[o + 3]! / 255);
          a += wa;
          r += wa * src[o]!;
          g += wa * src[o + 1]!;
          bl += wa * src[o + 2]!;
        }
      }
      if (a <= 0) continue;
      const d = (y * W + x) * 4;
      dst[d] = dst[d]! * (1 - a) + r;
      dst[d + 1] = dst[d + 1]! * (1 - a) + g;
      dst[d + 2] = dst[d + 2]! * (1 - a) + bl;
    }
  }
}

function quadPath(ctx: SKRSContext2D, q: Quad): void {
  ctx.beginPath();
  ctx.moveTo(q[0][0], q[0][1]);
  for (let i = 1; i < 4; i++) ctx.lineTo(q[i]![0], q[i]![1]);
  ctx.closePath();
}

/** the local affine frame of the sheet (mm) at a point, for drawing things that lie on it */
function localTransform(ctx: SKRSContext2D, hMm: Homography, xMm: number, yMm: number): void {
  const p = apply(hMm, [xMm, yMm]);
  const px = apply(hMm, [xMm + 1, yMm]);
  const py = apply(hMm, [xMm, yMm + 1]);
  ctx.setTransform(px[0] - p[0], px[1] - p[1], py[0] - p[0], py[1] - p[1], p[0], p[1]);
}

function lighting(ctx: SKRSContext2D, rng: Random, plan: ScenePlan, quad: Quad, sheetPx: number): void {
  const { width: W, height: H } = plan;
  if (plan.unevenLight > 0) {
    const a = rng.float(0, Math.PI * 2);
    const cx = W / 2, cy = H / 2, r = Math.hypot(W, H) / 2;
    const g = ctx.createLinearGradient(cx - Math.cos(a) * r, cy - Math.sin(a) * r, cx + Math.cos(a) * r, cy + Math.sin(a) * r);
    const dark = Math.round(255 * (1 - plan.unevenLight));
    g.addColorStop(0, `rgb(${dark},${dark},${Math.round(dark * 0.95)})`);
    g.addColorStop(1, 'rgb(255,252,245)');
    ctx.save();
    ctx.globalCompositeOperation = 'multiply';
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, W, H);
    ctx.restore();
  }
  if (plan.glare > 0) {
    const t = rng.float(0.15, 0.85), s = rng.float(0.15, 0.85);
    const top = [quad[0][0] + (quad[1][0] - quad[0][0]) * t, quad[0][1] + (quad[1][1] - quad[0][1]) * t];
    const bottom = [quad[3][0] + (quad[2][0] - quad[3][0]) * t, quad[3][1] + (quad[2][1] - quad[3][1]) * t];
    const gx = top[0]! + (bottom[0]! - top[0]!) * s, gy = top[1]! + (bottom[1]! - top[1]!) * s;
    const radius = sheetPx * rng.float(0.12, 0.3);
    const g = ctx.createRadialGradient(gx, gy, 0, gx, gy, radius);
    g.addColorStop(0, `rgba(255,255,255,${plan.glare})`);
    g.addColorStop(0.35, `rgba(255,255,250,${plan.glare * 0.7})`);
    g.addColorStop(1, 'rgba(255,255,255,0)');
    ctx.save();
    ctx.globalCompositeOperation = 'screen';
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, W, H);
    ctx.restore();
  }
}

export function composeScene(sheet: Sheet, plan: ScenePlan, rng: Random): ComposedScene {
  const { width: W, height: H } = plan;
  const quad = placeQuad(sheet, plan, rng);
  const sheetPx = Math.max(edgeLength(quad[0], quad[1]), edgeLength(quad[3], quad[2]));
  const sidePx = Math.max(edgeLength(quad[0], quad[3]), edgeLength(quad[1], quad[2]));
  const k = Math.max(2, sheetPx / sheet.widthMm, sidePx / sheet.heightMm);
  const flat = sheet.render(k);
  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d');
  paintSurface(ctx, rng, plan.surface, W, H);
  const hMm = homography([[0, 0], [sheet.widthMm, 0], [sheet.widthMm, sheet.heightMm], [0, sheet.heightMm]], quad);
  if (plan.hand) {
    const [hx, hy] = apply(hMm, [sheet.widthMm * 0.8, sheet.heightMm * 0.75]);
    paintHand(ctx, rng, hx, hy, sheetPx * 0.9, rng.float(-0.6, 0.6));
  }
  if (plan.shadow) {
    ctx.save();
    ctx.shadowColor = `rgba(0,0,0,${rng.float(0.25, 0.5)})`;
    ctx.shadowBlur = sheetPx * rng.float(0.01, 0.04);
    // draw the sheet far off-frame so only its shadow lands (no square corners under rounded ones)
    const away = W + H + sheetPx * 2;
    ctx.shadowOffsetX = sheetPx * rng.float(-0.015, 0.015) + away;
    ctx.shadowOffsetY = sheetPx * rng.float(0, 0.02);
    ctx.fillStyle = 'rgb(0,0,0)';
    ctx.translate(-away, 0);
    quadPath(ctx, quad);
    ctx.fill();
    ctx.restore();
  }
  const frame = ctx.getImageData(0, 0, W, H);
  const src = flat.getContext('2d').getImageData(0, 0, flat.width, flat.height);
  const inv = homography(quad, [[0, 0], [flat.width, 0], [flat.width, flat.height], [0, flat.height]]);
  warpInto(frame.data, W, H, src.data, flat.width, flat.height, inv, quad);
  ctx.putImageData(frame, 0, 0);
  if (plan.hand && sheet.thumbSafeMm !== undefined) {
    ctx.save();
    const lengthMm = 16;
    localTransform(ctx, hMm, sheet.widthMm - sheet.thumbSafeMm + lengthMm / 2, sheet.heightMm * rng.float(0.45, 0.6));
    paintThumb(ctx, rng, lengthMm);
    ctx.restore();
  }
  lighting(ctx, rng, plan, quad, sheetPx);
  if (plan.noise > 0) overlayNoise(ctx, rng, W, H, plan.noise, Math.max(1, sheetPx / 1200));
  return { canvas, quad, sheetWidthPx: edgeLength(quad[0], quad[1]) };
}
