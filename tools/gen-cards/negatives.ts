// Images with no card in them: a page of text, a photo-like scene, a blank frame.
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { overlayNoise } from './backgrounds.ts';
import { SANS, SERIF, registerFonts } from './fonts.ts';
import type { Random } from './random.ts';
import type { Sheet } from './scene.ts';

export type NegativeKind = 'document' | 'scene' | 'blank';

const COMMON = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研';

function rgb(r: number, g: number, b: number): string {
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

function sentence(rng: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += rng.pick([...COMMON]) + (rng.chance(0.07) ? '，' : '');
  return s;
}

/** an A4 page of text, as a sheet for composeScene */
export function documentSheet(rng: Random): Sheet {
  const seedRng = rng.fork('page');
  return {
    widthMm: 210,
    heightMm: 297,
    render(k: number): Canvas {
      registerFonts();
      const r = seedRng.fork('render');
      const canvas = createCanvas(Math.round(210 * k), Math.round(297 * k));
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = rgb(r.float(240, 255), r.float(240, 255), r.float(235, 250));
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.fillStyle = rgb(10, 10, 10);
      ctx.font = `bold ${7 * k}px ${SERIF}`;
      const title = sentence(r, r.int(6, 12)).replace(/，/g, '');
      ctx.fillText(title, (105 - (title.length * 7) / 2) * k, 30 * k);
      ctx.font = `${4.2 * k}px ${SANS}`;
      let y = 48;
      while (y < 275) {
        const paragraph = r.int(2, 6);
        for (let i = 0; i < paragraph && y < 275; i++, y += 7.5) {
          const indent = i === 0 ? 8.4 : 0;
          ctx.fillText(sentence(r, Math.floor((170 - indent) / 4.3)).slice(0, 40), (20 + indent) * k, y * k);
        }
        y += 4;
        if (r.chance(0.2) && y < 220) {
          // a small table
          ctx.strokeStyle = 'rgb(30,30,30)';
          ctx.lineWidth = 0.3 * k;
          for (let row = 0; row <= 4; row++) {
            ctx.beginPath();
            ctx.moveTo(20 * k, (y + row * 8) * k);
            ctx.lineTo(190 * k, (y + row * 8) * k);
            ctx.stroke();
          }
          for (let col = 0; col <= 4; col++) {
            ctx.beginPath();
            ctx.moveTo((20 + col * 42.5) * k, y * k);
            ctx.lineTo((20 + col * 42.5) * k, (y + 32) * k);
            ctx.stroke();
          }
          for (let row = 0; row < 4; row++) {
            for (let col = 0; col < 4; col++) ctx.fillText(sentence(r, 4).slice(0, 4), (23 + col * 42.5) * k, (y + row * 8 + 5.8) * k);
          }
          y += 40;
        }
      }
      return canvas;
    },
  };
}

function paintScene(ctx: SKRSContext2D, rng: Random, W: number, H: number): void {
  const horizon = H * rng.float(0.35, 0.65);
  const sky = ctx.createLinearGradient(0, 0, 0, horizon);
  sky.addColorStop(0, rgb(rng.float(60, 140), rng.float(120, 180), rng.float(190, 250)));
  sky.addColorStop(1, rgb(rng.float(180, 230), rng.float(200, 235), rng.float(220, 250)));
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, W, horizon);
  const ground = ctx.createLinearGradient(0, horizon, 0, H);
  ground.addColorStop(0, rgb(rng.float(70, 130), rng.float(100, 150), rng.float(50, 90)));
  ground.addColorStop(1, rgb(rng.float(40, 90), rng.float(60, 110), rng.float(30, 60)));
  ctx.fillStyle = ground;
  ctx.fillRect(0, horizon, W, H - horizon);
  for (let i = rng.int(2, 7); i > 0; i--) {
    const bw = W * rng.float(0.06, 0.2), bh = H * rng.float(0.1, 0.45);
    const bx = rng.float(-bw / 2, W - bw / 2);
    ctx.fillStyle = rgb(rng.float(90, 210), rng.float(90, 200), rng.float(90, 200));
    ctx.fillRect(bx, horizon - bh, bw, bh);
    ctx.fillStyle = rgb(rng.float(40, 90), rng.float(60, 110), rng.float(90, 140));
    for (let wy = horizon - bh + bh * 0.08; wy < horizon - bh * 0.12; wy += bh * 0.12) {
      for (let wx = bx + bw * 0.1; wx < bx + bw * 0.85; wx += bw * 0.22) ctx.fillRect(wx, wy, bw * 0.12, bh * 0.06);
    }
  }
  for (let i = rng.int(2, 9); i > 0; i--) {
    const tx = rng.float(0, W), ty = horizon + rng.float(-H * 0.05, H * 0.3), r = H * rng.float(0.04, 0.12);
    ctx.fillStyle = rgb(80, 60, 40);
    ctx.fillRect(tx - r * 0.1, ty, r * 0.2, r * 1.2);
    ctx.fillStyle = rgb(rng.float(20, 70), rng.float(80, 140), rng.float(20, 60));
    ctx.beginPath();
    ctx.arc(tx, ty, r, 0, Math.PI * 2);
    ctx.fill();
  }
  if (rng.chance(0.5)) {
    ctx.fillStyle = 'rgba(255,250,220,0.9)';
    ctx.beginPath();
    ctx.arc(rng.float(0, W), rng.float(0, horizon * 0.5), H * 0.05, 0, Math.PI * 2);
    ctx.fill();
  }
  overlayNoise(ctx, rng, W, H, 0.12, Math.max(1, W / 1500));
}

function paintBlank(ctx: SKRSContext2D, rng: Random, W: number, H: number): void {
  const v = rng.weighted([[250, 3], [200, 1], [128, 1], [20, 1]] as const) + rng.float(-5, 5);
  const g = ctx.createLinearGradient(0, 0, W * rng.float(0, 1), H);
  g.addColorStop(0, rgb(v, v, v));
  g.addColorStop(1, rgb(v * 0.94, v * 0.94, v * 0.96));
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, W, H);
  if (rng.chance(0.5)) overlayNoise(ctx, rng, W, H, rng.float(0.03, 0.12));
}

/** a scene or blank frame drawn straight into a new canvas */
export function paintNegative(kind: 'scene' | 'blank', rng: Random, W: number, H: number): Canvas {
  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d');
  if (kind === 'scene') paintScene(ctx, rng, W, H);
  else paintBlank(ctx, rng, W, H);
  return canvas;
}
