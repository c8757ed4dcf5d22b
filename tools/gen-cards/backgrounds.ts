// Procedural surfaces a card lies on (wood, desk, cloth, scanner glass) and other scenery,
// drawn with canvas operations so a 4096 px frame stays cheap.
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { Random } from './random.ts';

export type Surface = 'wood' | 'desk' | 'cloth' | 'scanner' | 'plain';
type Ctx = SKRSContext2D;

function rgb(r: number, g: number, b: number, a = 1): string {
  return `rgba(${Math.round(r)},${Math.round(g)},${Math.round(b)},${a})`;
}

/** a tile of grey noise, drawn as a repeating pattern for grain and sensor noise */
export function noiseTile(rng: Random, size = 128): Canvas {
  const tile = createCanvas(size, size);
  const ctx = tile.getContext('2d');
  const img = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const v = Math.max(0, Math.min(255, 128 + rng.normal() * 45));
    img.data[i * 4] = v;
    img.data[i * 4 + 1] = v;
    img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return tile;
}

export function overlayNoise(ctx: Ctx, rng: Random, w: number, h: number, alpha: number, scale = 1): void {
  const pattern = ctx.createPattern(noiseTile(rng), 'repeat');
  if (!pattern) return;
  ctx.save();
  ctx.globalAlpha = alpha;
  ctx.globalCompositeOperation = 'overlay';
  ctx.scale(scale, scale);
  ctx.fillStyle = pattern;
  ctx.fillRect(0, 0, w / scale + 1, h / scale + 1);
  ctx.restore();
}

function wood(ctx: Ctx, rng: Random, w: number, h: number): void {
  const base = [rng.float(120, 190), rng.float(75, 125), rng.float(40, 75)];
  ctx.fillStyle = rgb(base[0]!, base[1]!, base[2]!);
  ctx.fillRect(0, 0, w, h);
  const diag = Math.hypot(w, h);
  ctx.save();
  ctx.translate(w / 2, h / 2);
  ctx.rotate(rng.float(-0.3, 0.3) + (rng.chance(0.5) ? Math.PI / 2 : 0));
  for (let i = 0; i < 160; i++) {
    const y = rng.float(-diag / 2, diag / 2);
    const dark = rng.chance(0.6);
    ctx.strokeStyle = dark ? rgb(60, 35, 15, rng.float(0.05, 0.25)) : rgb(230, 190, 140, rng.float(0.04, 0.15));
    ctx.lineWidth = rng.float(1, diag / 120);
    const amp = rng.float(2, diag / 60), period = rng.float(diag / 6, diag);
    ctx.beginPath();
    for (let x = -diag / 2; x <= diag / 2; x += diag / 80) {
      const yy = y + amp * Math.sin((x / period) * Math.PI * 2 + i);
      if (x === -diag / 2) ctx.moveTo(x, yy);
      else ctx.lineTo(x, yy);
    }
    ctx.stroke();
  }
  // planks
  const plank = rng.float(diag / 6, diag / 3);
  ctx.strokeStyle = rgb(40, 22, 10, 0.5);
  ctx.lineWidth = Math.max(1, diag / 900);
  for (let y = -diag / 2 + rng.float(0, plank); y < diag / 2; y += plank) {
    ctx.beginPath();
    ctx.moveTo(-diag / 2, y);
    ctx.lineTo(diag / 2, y);
    ctx.stroke();
  }
  ctx.restore();
  overlayNoise(ctx, rng, w, h, 0.25, Math.max(1, diag / 1500));
}

function desk(ctx: Ctx, rng: Random, w: number, h: number): void {
  const tone = rng.weighted([['white', 2], ['grey', 2], ['dark', 2], ['color', 1]] as const);
  const c = tone === 'white' ? [rng.float(215, 245), rng.float(215, 245), rng.float(210, 240)]
    : tone === 'grey' ? [rng.float(120, 180), rng.float(120, 180), rng.float(120, 180)]
      : tone === 'dark' ? [rng.float(20, 60), rng.float(20, 60), rng.float(20, 65)]
        : [rng.float(40, 200), rng.float(60, 200), rng.float(80, 220)];
  const g = ctx.createLinearGradient(rng.float(0, w), 0, rng.float(0, w), h);
  g.addColorStop(0, rgb(c[0]! * 1.05, c[1]! * 1.05, c[2]! * 1.05));
  g.addColorStop(1, rgb(c[0]! * 0.9, c[1]! * 0.9, c[2]! * 0.9));
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, w, h);
  // clutter at the edges: a pen, a sheet of paper, a mug ring
  for (let i = rng.int(0, 3); i > 0; i--) {
    ctx.save();
    ctx.translate(rng.float(0, w), rng.float(0, h));
    ctx.rotate(rng.float(0, Math.PI));
    const kind = rng.pick(['pen', 'paper', 'ring'] as const);
    const s = Math.max(w, h);
    if (kind === 'pen') {
      ctx.fillStyle = rgb(rng.float(0, 200), rng.float(0, 200), rng.float(0, 200));
      ctx.fillRect(0, 0, s * 0.25, s * 0.012);
    } else if (kind === 'paper') {
      ctx.fillStyle = rgb(248, 248, 244, 0.95);
      ctx.fillRect(0, 0, s * 0.3, s * 0.4);
    } else {
      ctx.strokeStyle = rgb(120, 80, 40, 0.25);
      ctx.lineWidth = s * 0.006;
      ctx.beginPath();
      ctx.arc(0, 0, s * 0.06, 0, Math.PI * 2);
      ctx.stroke();
    }
    ctx.restore();
  }
  overlayNoise(ctx, rng, w, h, 0.12, Math.max(1, Math.max(w, h) / 2000));
}

function cloth(ctx: Ctx, rng: Random, w: number, h: number): void {
  const c = [rng.float(30, 220), rng.float(30, 200), rng.float(30, 220)];
  ctx.fillStyle = rgb(c[0]!, c[1]!, c[2]!);
  ctx.fillRect(0, 0, w, h);
  const step = Math.max(2, Math.max(w, h) / rng.float(250, 500));
  ctx.lineWidth = step / 2.5;
  ctx.strokeStyle = rgb(0, 0, 0, 0.12);
  for (let x = 0; x < w; x += step) {
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, h);
    ctx.stroke();
  }
  ctx.strokeStyle = rgb(255, 255, 255, 0.08);
  for (let y = 0; y < h; y += step) {
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(w, y);
    ctx.stroke();
  }
  // folds
  for (let i = 0; i < 5; i++) {
    const x0 = rng.float(0, w), y0 = rng.float(0, h);
    const g = ctx.createLinearGradient(x0, y0, x0 + rng.float(-w, w) / 4, y0 + rng.float(-h, h) / 4);
    const shade = rng.chance(0.5) ? '0,0,0' : '255,255,255';
    g.addColorStop(0, `rgba(${shade},0)`);
    g.addColorStop(0.5, `rgba(${shade},${rng.float(0.08, 0.22)})`);
    g.addColorStop(1, `rgba(${shade},0)`);
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, w, h);
  }
  overlayNoise(ctx, rng, w, h, 0.15);
}

function scanner(ctx: Ctx, rng: Random, w: number, h: number): void {
  const v = rng.float(238, 252);
  ctx.fillStyle = rgb(v, v, v - rng.float(0, 4));
  ctx.fillRect(0, 0, w, h);
  overlayNoise(ctx, rng, w, h, 0.04);
}

export function paintSurface(ctx: Ctx, rng: Random, surface: Surface, w: number, h: number): void {
  if (surface === 'wood') wood(ctx, rng, w, h);
  else if (surface === 'desk') desk(ctx, rng, w, h);
  else if (surface === 'cloth') cloth(ctx, rng, w, h);
  else if (surface === 'scanner') scanner(ctx, rng, w, h);
  else {
    const v = rng.float(200, 250);
    ctx.fillStyle = rgb(v, v, v);
    ctx.fillRect(0, 0, w, h);
  }
}

/** a hand-like skin blob: palm and fingers, drawn around a point in an angle */
export function paintHand(ctx: Ctx, rng: Random, x: number, y: number, size: number, angle: number): void {
  const tone = [rng.float(180, 235), rng.float(140, 190), rng.float(110, 160)];
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate(angle);
  ctx.shadowColor = 'rgba(0,0,0,0.35)';
  ctx.shadowBlur = size * 0.08;
  const g = ctx.createRadialGradient(0, 0, size * 0.1, 0, 0, size);
  g.addColorStop(0, rgb(tone[0]!, tone[1]!, tone[2]!));
  g.addColorStop(1, rgb(tone[0]! * 0.8, tone[1]! * 0.75, tone[2]! * 0.7));
  ctx.fillStyle = g;
  ctx.beginPath();
  ctx.ellipse(0, 0, size * 0.55, size * 0.45, 0, 0, Math.PI * 2);
  ctx.fill();
  for (let i = 0; i < 4; i++) {
    ctx.beginPath();
    ctx.ellipse(-size * 0.3 + i * size * 0.2, -size * 0.6, size * 0.085, size * 0.3, (i - 1.5) * 0.08, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.restore();
}

/** the thumb holding the card: an ellipse in the card's local frame (already transformed) */
export function paintThumb(ctx: Ctx, rng: Random, length: number): void {
  const tone = [rng.float(185, 235), rng.float(145, 190), rng.float(115, 160)];
  ctx.save();
  ctx.shadowColor = 'rgba(0,0,0,0.3)';
  ctx.shadowBlur = length * 0.15;
  ctx.fillStyle = rgb(tone[0]!, tone[1]!, tone[2]!);
  ctx.beginPath();
  ctx.ellipse(0, 0, length / 2, length * 0.2, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = rgb(tone[0]! + 15, tone[1]! + 10, tone[2]! + 10, 0.8);
  ctx.beginPath();
  ctx.ellipse(-length * 0.3, 0, length * 0.14, length * 0.12, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.restore();
}
