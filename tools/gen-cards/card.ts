// The card itself, flat and upright: 85.6 × 54 mm drawn at `pxPerMm`, transparent outside the
// rounded corners. Positions are in millimetres from the card's top-left, after the layout of
// the second-generation card (labels in blue-grey 黑体, values in black, the number in OCR-B,
// the photo on the right; on the back the emblem top-left and the two titles in 宋体).
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { OCRB, SANS, SERIF, registerFonts } from './fonts.ts';
import type { Identity } from './identity.ts';
import type { Random } from './random.ts';

export const CARD_WIDTH_MM = 85.6;
export const CARD_HEIGHT_MM = 54;
const CORNER_MM = 3.2;
/** the address value column: from 16.5 mm to just left of the photo */
const ADDRESS_WIDTH_MM = 35.6;

export interface RenderedCard {
  canvas: Canvas;
  /** address as printed, one string per line */
  addressLines: string[];
}

type Ctx = SKRSContext2D;

function roundedCard(ctx: Ctx, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(0, 0, w, h, r);
  ctx.closePath();
}

function rgb(r: number, g: number, b: number): string {
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

/** light security background: tinted gradient, guilloche waves, a faint rosette */
function drawGuilloche(ctx: Ctx, rng: Random, k: number, side: 'front' | 'back'): void {
  const w = CARD_WIDTH_MM * k;
  const h = CARD_HEIGHT_MM * k;
  const g = ctx.createLinearGradient(0, 0, w, h);
  const tint = rng.float(-6, 6);
  if (side === 'front') {
    g.addColorStop(0, rgb(236 + tint, 240, 238));
    g.addColorStop(0.45, rgb(244, 240 + tint, 228));
    g.addColorStop(1, rgb(226, 236 + tint, 242));
  } else {
    g.addColorStop(0, rgb(240, 238 + tint, 226));
    g.addColorStop(0.6, rgb(232 + tint, 238, 240));
    g.addColorStop(1, rgb(242, 234, 228 + tint));
  }
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, w, h);
  ctx.lineWidth = Math.max(0.6, 0.08 * k);
  const waves = 26;
  for (let i = 0; i < waves; i++) {
    const phase = rng.float(0, Math.PI * 2);
    const amp = rng.float(1.2, 3.5) * k;
    const period = rng.float(12, 30) * k;
    const y0 = (i / waves) * h + rng.float(-1, 1) * k;
    ctx.strokeStyle = i % 3 === 0 ? 'rgba(200,140,150,0.18)' : 'rgba(110,160,190,0.16)';
    ctx.beginPath();
    for (let x = 0; x <= w; x += Math.max(1, k / 2)) {
      const y = y0 + amp * Math.sin((x / period) * Math.PI * 2 + phase);
      if (x === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
  const cx = (side === 'front' ? 36 : 52) * k;
  const cy = (side === 'front' ? 28 : 34) * k;
  ctx.strokeStyle = 'rgba(150,175,200,0.14)';
  for (let i = 0; i < 36; i++) {
    const a = (i / 36) * Math.PI;
    ctx.beginPath();
    ctx.ellipse(cx, cy, 16 * k, 6 * k, a, 0, Math.PI * 2);
    ctx.stroke();
  }
  if (side === 'back') {
    // a faint Great Wall silhouette along the bottom third
    ctx.strokeStyle = 'rgba(160,140,120,0.18)';
    ctx.lineWidth = Math.max(0.8, 0.25 * k);
    ctx.beginPath();
    for (let x = 0; x <= w; x += k) {
      const y = h * 0.62 + Math.sin(x / (9 * k)) * 3 * k + Math.sin(x / (3.3 * k)) * 0.8 * k;
      if (x === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
}

function drawPortrait(ctx: Ctx, rng: Random, k: number, sex: '男' | '女'): void {
  const x = 53 * k, y = 6 * k, w = 27 * k, h = 34 * k;
  const bg = ctx.createLinearGradient(x, y, x, y + h);
  bg.addColorStop(0, 'rgba(250,250,250,0.92)');
  bg.addColorStop(1, 'rgba(236,238,240,0.92)');
  ctx.fillStyle = bg;
  ctx.fillRect(x, y, w, h);
  const skin = rng.float(150, 205);
  const cx = x + w / 2 + rng.float(-1, 1) * k;
  // shoulders and clothes
  ctx.fillStyle = rgb(rng.float(30, 80), rng.float(30, 80), rng.float(40, 95));
  ctx.beginPath();
  ctx.moveTo(x + 0.5 * k, y + h);
  ctx.bezierCurveTo(x + 1 * k, y + 26 * k, cx - 9 * k, y + 24.5 * k, cx, y + 24.5 * k);
  ctx.bezierCurveTo(cx + 9 * k, y + 24.5 * k, x + w - 1 * k, y + 26 * k, x + w - 0.5 * k, y + h);
  ctx.closePath();
  ctx.fill();
  // neck and collar
  ctx.fillStyle = rgb(skin - 18, skin - 25, skin - 32);
  ctx.fillRect(cx - 2.6 * k, y + 19 * k, 5.2 * k, 6.5 * k);
  ctx.fillStyle = 'rgb(235,235,235)';
  ctx.beginPath();
  ctx.moveTo(cx - 3.5 * k, y + 24.5 * k);
  ctx.lineTo(cx, y + 28.5 * k);
  ctx.lineTo(cx + 3.5 * k, y + 24.5 * k);
  ctx.lineTo(cx + 1.5 * k, y + 24 * k);
  ctx.lineTo(cx, y + 26 * k);
  ctx.lineTo(cx - 1.5 * k, y + 24 * k);
  ctx.closePath();
  ctx.fill();
  // hair behind (longer for some women)
  const hair = rgb(rng.float(15, 45), rng.float(12, 35), rng.float(10, 30));
  ctx.fillStyle = hair;
  if (sex === '女' && rng.chance(0.7)) {
    ctx.beginPath();
    ctx.ellipse(cx, y + 14 * k, 7.6 * k, 10.5 * k, 0, 0, Math.PI * 2);
    ctx.fill();
  }
  // face
  const face = ctx.createRadialGradient(cx - 1 * k, y + 12 * k, 1 * k, cx, y + 13 * k, 7 * k);
  face.addColorStop(0, rgb(skin + 25, skin + 12, skin));
  face.addColorStop(1, rgb(skin - 15, skin - 28, skin - 38));
  ctx.fillStyle = face;
  ctx.beginPath();
  ctx.ellipse(cx, y + 13.5 * k, 5.6 * k, 7.4 * k, 0, 0, Math.PI * 2);
  ctx.fill();
  // hair on top
  ctx.fillStyle = hair;
  ctx.beginPath();
  ctx.ellipse(cx, y + 8.8 * k, 6.1 * k, 3.9 * k, 0, Math.PI, Math.PI * 2);
  ctx.ellipse(cx, y + 8.8 * k, 6.1 * k, 1.6 * k, 0, 0, Math.PI);
  ctx.fill();
  // eyes, brows, nose, mouth
  ctx.fillStyle = 'rgb(30,25,25)';
  for (const dx of [-2.2, 2.2]) {
    ctx.beginPath();
    ctx.ellipse(cx + dx * k, y + 13 * k, 0.75 * k, 0.4 * k, 0, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillRect(cx + (dx - 1) * k, y + 11.5 * k, 2 * k, 0.35 * k);
  }
  ctx.strokeStyle = rgb(skin - 50, skin - 60, skin - 60);
  ctx.lineWidth = 0.25 * k;
  ctx.beginPath();
  ctx.moveTo(cx, y + 13.5 * k);
  ctx.lineTo(cx - 0.5 * k, y + 16 * k);
  ctx.lineTo(cx + 0.5 * k, y + 16.2 * k);
  ctx.stroke();
  ctx.strokeStyle = 'rgb(150,70,70)';
  ctx.lineWidth = 0.35 * k;
  ctx.beginPath();
  ctx.moveTo(cx - 1.6 * k, y + 18 * k);
  ctx.quadraticCurveTo(cx, y + 18.6 * k, cx + 1.6 * k, y + 18 * k);
  ctx.stroke();
}

function star(ctx: Ctx, cx: number, cy: number, r: number, rotation: number): void {
  ctx.beginPath();
  for (let i = 0; i < 10; i++) {
    const a = rotation - Math.PI / 2 + (i * Math.PI) / 5;
    const rr = i % 2 === 0 ? r : r * 0.4;
    ctx.lineTo(cx + rr * Math.cos(a), cy + rr * Math.sin(a));
  }
  ctx.closePath();
  ctx.fill();
}

/** 国徽 placeholder: red disc, gold stars, gate, wheat ring */
function drawEmblem(ctx: Ctx, k: number): void {
  const cx = 13 * k, cy = 13.5 * k, r = 7.6 * k;
  ctx.fillStyle = 'rgb(205,30,35)';
  ctx.beginPath();
  ctx.arc(cx, cy, r, 0, Math.PI * 2);
  ctx.fill();
  ctx.strokeStyle = 'rgb(235,185,40)';
  ctx.lineWidth = 0.9 * k;
  ctx.beginPath();
  ctx.arc(cx, cy, r - 0.5 * k, Math.PI * 0.15, Math.PI * 0.85, true);
  ctx.stroke();
  ctx.fillStyle = 'rgb(245,200,45)';
  star(ctx, cx, cy - 4 * k, 1.7 * k, 0);
  for (let i = 0; i < 4; i++) {
    const a = -Math.PI / 2 + (i - 1.5) * 0.45;
    star(ctx, cx + Math.cos(a) * 3.8 * k + 0, cy - 4 * k + Math.sin(a) * 0.6 * k + 1.4 * k + Math.abs(i - 1.5) * 0.5 * k, 0.6 * k, a);
  }
  // Tiananmen gate
  ctx.fillRect(cx - 4 * k, cy + 0.5 * k, 8 * k, 0.6 * k);
  ctx.fillRect(cx - 3.2 * k, cy + 1.3 * k, 6.4 * k, 1.6 * k);
  ctx.fillRect(cx - 4.4 * k, cy + 3.1 * k, 8.8 * k, 1.1 * k);
  ctx.fillStyle = 'rgb(205,30,35)';
  for (let i = -2; i <= 2; i++) ctx.fillRect(cx + i * 1.4 * k - 0.3 * k, cy + 3.3 * k, 0.6 * k, 0.9 * k);
  ctx.fillStyle = 'rgb(245,200,45)';
  ctx.beginPath();
  ctx.moveTo(cx - 2 * k, cy + r);
  ctx.lineTo(cx + 2 * k, cy + r);
  ctx.lineTo(cx, cy + r - 2.2 * k);
  ctx.closePath();
  ctx.fill();
}

/** spread a title's characters evenly between x0 and x1 */
function spreadText(ctx: Ctx, text: string, x0: number, x1: number, y: number): void {
  const chars = [...text];
  const widths = chars.map((c) => ctx.measureText(c).width);
  const total = widths.reduce((s, v) => s + v, 0);
  const gap = chars.length > 1 ? (x1 - x0 - total) / (chars.length - 1) : 0;
  let x = x0;
  chars.forEach((c, i) => {
    ctx.fillText(c, x, y);
    x += widths[i]! + gap;
  });
}

/** wrap by measured width; digits are narrower, so a line holds 11 CJK characters or more */
export function wrapAddress(text: string, measure: (s: string) => number, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const ch of text) {
    if (line && measure(line + ch) > maxWidth) {
      lines.push(line);
      line = '';
    }
    line += ch;
  }
  if (line) lines.push(line);
  return lines;
}

function newCard(k: number): { canvas: Canvas; ctx: Ctx } {
  const canvas = createCanvas(Math.round(CARD_WIDTH_MM * k), Math.round(CARD_HEIGHT_MM * k));
  const ctx = canvas.getContext('2d');
  roundedCard(ctx, canvas.width, canvas.height, CORNER_MM * k);
  ctx.clip();
  return { canvas, ctx };
}

export function renderFront(person: Identity, rng: Random, k: number): RenderedCard {
  registerFonts();
  const { canvas, ctx } = newCard(k);
  drawGuilloche(ctx, rng, k, 'front');
  drawPortrait(ctx, rng, k, person.sex);
  const label = rgb(rng.float(50, 80), rng.float(105, 130), rng.float(145, 175));
  const ink = rgb(rng.float(0, 30), rng.float(0, 30), rng.float(0, 30));
  const jx = () => rng.float(-0.25, 0.25) * k;
  const jy = () => rng.float(-0.2, 0.2) * k;
  const labelFont = `${2.75 * k}px ${SANS}`;
  const valueFont = `${3.2 * k}px ${SANS}`;
  ctx.textBaseline = 'alphabetic';

  ctx.fillStyle = label;
  ctx.font = labelFont;
  const labels: [string, number, number][] = [
    ['姓  名', 6, 10.6], ['性  别', 6, 17.2], ['民  族', 28.5, 17.2], ['出  生', 6, 23.8], ['住  址', 6, 30.4],
  ];
  for (const [text, x, y] of labels) spreadText(ctx, text.replace(/ /g, ''), x * k, (x + 8) * k, y * k);
  ctx.fillText('公民身份号码', 6 * k, 47.6 * k);
  const year = person.birthday.slice(0, 4);
  const month = String(Number(person.birthday.slice(4, 6)));
  const day = String(Number(person.birthday.slice(6, 8)));
  ctx.fillText('年', 26.2 * k, 23.8 * k);
  ctx.fillText('月', 34.2 * k, 23.8 * k);
  ctx.fillText('日', 42.4 * k, 23.8 * k);

  ctx.fillStyle = ink;
  ctx.font = `${3.8 * k}px ${SANS}`;
  const nameX = 16.8 * k + jx(), nameY = 10.9 * k + jy();
  ctx.fillText(person.name, nameX, nameY);
  ctx.font = valueFont;
  ctx.fillText(person.sex, 16.8 * k + jx(), 17.4 * k + jy());
  ctx.fillText(person.nation, 39 * k + jx(), 17.4 * k + jy());
  const dy = 24 * k + jy(), dx = jx();
  ctx.fillText(year, 16.8 * k + dx, dy);
  ctx.fillText(month, (month.length === 1 ? 30.6 : 29.7) * k + dx, dy);
  ctx.fillText(day, (day.length === 1 ? 38.8 : 37.95) * k + dx, dy);
  const addressLines = wrapAddress(person.address, (s) => ctx.measureText(s).width, ADDRESS_WIDTH_MM * k);
  const ax = 16.8 * k + jx(), ay = 30.6 * k + jy();
  addressLines.forEach((line, i) => ctx.fillText(line, ax, ay + i * 4.6 * k));

  // the number spans about 30–79 mm whatever the font's advance
  ctx.font = `${3.9 * k}px ${OCRB}`;
  let x = 29.8 * k + jx();
  const y = 47.9 * k + jy();
  const spacing = Math.max(0, (48.5 * k - ctx.measureText(person.idCard).width) / 17);
  for (const ch of person.idCard) {
    ctx.fillText(ch, x, y);
    x += ctx.measureText(ch).width + spacing;
  }
  return { canvas, addressLines };
}

export function renderBack(person: Identity, rng: Random, k: number): RenderedCard {
  registerFonts();
  const { canvas, ctx } = newCard(k);
  drawGuilloche(ctx, rng, k, 'back');
  drawEmblem(ctx, k);
  const ink = rgb(rng.float(0, 25), rng.float(0, 25), rng.float(0, 25));
  const label = rgb(rng.float(25, 55), rng.float(25, 55), rng.float(30, 60));
  ctx.fillStyle = ink;
  ctx.font = `bold ${4.9 * k}px ${SERIF}`;
  spreadText(ctx, '中华人民共和国', 26.5 * k, 78.5 * k, 12.6 * k);
  ctx.font = `bold ${7.6 * k}px ${SERIF}`;
  spreadText(ctx, '居民身份证', 26.5 * k, 78.5 * k, 25.2 * k);
  ctx.fillStyle = label;
  ctx.font = `bold ${2.8 * k}px ${SANS}`;
  ctx.fillText('签发机关', 15.5 * k, 41.8 * k);
  ctx.fillText('有效期限', 15.5 * k, 48.3 * k);
  ctx.fillStyle = ink;
  ctx.font = `${3.2 * k}px ${SANS}`;
  const jx = () => rng.float(-0.25, 0.25) * k;
  ctx.fillText(person.authority, 30 * k + jx(), 42 * k);
  ctx.fillText(person.validity, 30 * k + jx(), 48.5 * k);
  return { canvas, addressLines: [] };
}
