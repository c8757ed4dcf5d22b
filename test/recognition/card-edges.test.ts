// The card's corners from its own edges (src/recognition/card-edges.ts), refined from the
// pipeline's text-extent estimate, on the committed fixture cards (truth.json holds the true
// corners) and on drawn images.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRecognizer, decodeImage, type Quad, type Recognizer } from '../../src/recognition/index.ts';
import { refineCardQuad } from '../../src/recognition/card-edges.ts';
import type { RgbImage } from '../../src/recognition/pixels.ts';

const DIR = fileURLToPath(new URL('../fixtures/cards/', import.meta.url));
interface Truth {
  file: string;
  side: 'front' | 'back' | 'none';
  quad?: Quad;
  cardWidthPx?: number;
}
const truth: Truth[] = JSON.parse(readFileSync(DIR + 'truth.json', 'utf8'));

/** worst corner's distance from the truth, as a fraction of the card's width */
function cornerError(q: Quad, t: Quad, width: number): number {
  let worst = 0;
  for (let i = 0; i < 4; i++) worst = Math.max(worst, Math.hypot(q[i]![0] - t[i]![0], q[i]![1] - t[i]![1]));
  return worst / width;
}
const angleOf = (q: Quad) => Math.atan2(q[1][1] - q[0][1], q[1][0] - q[0][0]);

/** A card-proportioned rectangle in the middle of the image, as an estimate where there is no card. */
function centredEstimate(w: number, h: number): Quad {
  const cw = Math.min(0.6 * w, (0.6 * h * 85.6) / 54), ch = (cw * 54) / 85.6;
  const x0 = (w - cw) / 2, y0 = (h - ch) / 2;
  return [[x0, y0], [x0 + cw, y0], [x0 + cw, y0 + ch], [x0, y0 + ch]];
}

describe('card edges on the committed fixtures', () => {
  let rec: Recognizer;
  const rows: Array<{ file: string; before: number; after: number; refined: boolean; spansCard: boolean }> = [];
  before(async () => {
    rec = await createRecognizer({ poolSize: 0 });
    for (const t of truth) {
      if (!t.quad || !t.cardWidthPx) continue;
      const bytes = readFileSync(DIR + t.file);
      const r = await rec.read(bytes);
      const estimate = r.quadFromText ?? r.quad;
      if (!estimate) continue; // a card the recognizer missed has no estimate to refine
      const img = await decodeImage(bytes);
      const q = refineCardQuad(img, angleOf(estimate), estimate);
      const eb = cornerError(estimate, t.quad, t.cardWidthPx);
      // the card's text read: a front's three fields or more, a back's two
      const read = Object.values(r.front ?? r.back ?? {}).filter((f) => f.value).length;
      const spansCard = r.back ? read === 2 : read >= 3;
      rows.push({ file: t.file, before: eb, after: q ? cornerError(q, t.quad, t.cardWidthPx) : eb, refined: q !== undefined, spansCard });
    }
  });
  after(async () => {
    await rec.close();
  });

  it('puts the corners within 3 % of the card width of the truth on most cards', (t) => {
    const cards = truth.filter((t) => t.quad).length;
    assert.ok(rows.length >= cards - 2, `estimates for ${rows.length} of ${cards} cards`);
    const rate = (key: 'before' | 'after') => rows.filter((r) => r[key] <= 0.03).length / rows.length;
    const detail = rows.map((r) => `${r.file} ${(100 * r.before).toFixed(1)}→${(100 * r.after).toFixed(1)}`).join(', ');
    t.diagnostic(`within 3 %: estimate ${rows.filter((r) => r.before <= 0.03).length}/${rows.length}, refined ${rows.filter((r) => r.after <= 0.03).length}/${rows.length}`);
    assert.ok(rate('before') < 0.25, `the estimate is that good already? ${detail}`);
    assert.ok(rate('after') >= 0.8, `refined within 3 %: ${rate('after')} (${detail})`);
    assert.ok(rows.filter((r) => r.refined).length >= 0.85 * rows.length, 'edges found on most cards');
  });

  it('is never much worse than the estimate, where the card\'s text was read', () => {
    // the estimate is the extent of the text read: a card read from its number alone
    // (front-only-number-read) gives the number line's extent, not the card's, and the bands
    // around it miss the card's edges; it has no good corners to lose
    const spanned = rows.filter((r) => r.spansCard);
    assert.ok(spanned.length >= rows.length - 2, `${spanned.length} of ${rows.length}`);
    for (const r of spanned) assert.ok(r.after <= r.before + 0.03, `${r.file}: ${(100 * r.before).toFixed(1)} % → ${(100 * r.after).toFixed(1)} %`);
  });

  it('finds no card edges where there is no card', async () => {
    for (const t of truth.filter((x) => x.side === 'none')) {
      const img = await decodeImage(readFileSync(DIR + t.file));
      const est = centredEstimate(img.width, img.height);
      assert.equal(refineCardQuad(img, 0, est), undefined, t.file);
    }
  });
});

describe('card edges on drawn images', () => {
  /** A light card (the given corners) on a darker, noisy background, with dark text inside. */
  function drawn(w: number, h: number, quad: Quad, card = 225, ground = 120): RgbImage {
    const data = new Uint8Array(w * h * 3);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const insideQuad = (x: number, y: number) => {
      for (let i = 0; i < 4; i++) {
        const [ax, ay] = quad[i]!, [bx, by] = quad[(i + 1) % 4]!;
        if ((bx - ax) * (y - ay) - (by - ay) * (x - ax) < 0) return false;
      }
      return true;
    };
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let v = insideQuad(x + 0.5, y + 0.5) ? card : ground;
        // text-like dark strokes in the card's middle band
        if (v === card && x % 23 < 3 && y > h * 0.35 && y < h * 0.65 && x > w * 0.3 && x < w * 0.7) v = 40;
        v += (rnd() - 0.5) * 20;
        const o = (y * w + x) * 3;
        data[o] = data[o + 1] = data[o + 2] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
    return { data, width: w, height: h };
  }

  it('recovers a drawn card from a rough estimate, at any angle and with perspective', () => {
    const cases: Array<{ quad: Quad; angle: number }> = [
      { quad: [[100, 80], [528, 80], [528, 350], [100, 350]], angle: 0 },
      // turned about 10 degrees, far side shorter (perspective)
      { quad: [[120, 60], [520, 130], [480, 380], [95, 320]], angle: Math.atan2(70, 400) },
      // upside down: the card's top-left is at the bottom right
      { quad: [[528, 350], [100, 350], [100, 80], [528, 80]], angle: Math.PI },
    ];
    for (const { quad, angle } of cases) {
      const img = drawn(640, 440, quad);
      // the estimate: the card's rectangle about the text, shifted and shrunk by a few per cent
      const c = [0, 1, 2, 3].reduce((s, i) => [s[0] + quad[i]![0] / 4, s[1] + quad[i]![1] / 4], [0, 0]);
      const est = quad.map(([x, y]) => [Math.round(c[0]! + (x - c[0]!) * 0.95 + 9), Math.round(c[1]! + (y - c[1]!) * 0.95 - 6)]) as Quad;
      const width = Math.hypot(quad[1][0] - quad[0][0], quad[1][1] - quad[0][1]);
      const q = refineCardQuad(img, angle, est);
      assert.ok(q, `found ${JSON.stringify(quad)}`);
      assert.ok(cornerError(q, quad, width) < 0.01, `${JSON.stringify(q)} vs ${JSON.stringify(quad)}`);
      assert.ok(cornerError(est, quad, width) > 0.02);
    }
  });

  it('returns undefined on a blank image, and when the text would fall outside the edges', () => {
    const blank = { data: new Uint8Array(640 * 440 * 3).fill(200), width: 640, height: 440 };
    assert.equal(refineCardQuad(blank, 0, [[100, 80], [528, 80], [528, 350], [100, 350]]), undefined);
    const quad: Quad = [[100, 80], [528, 80], [528, 350], [100, 350]];
    const img = drawn(640, 440, quad);
    assert.ok(refineCardQuad(img, 0, quad, { text: { u0: 130, v0: 120, u1: 500, v1: 320 } }));
    // text said to reach past the card's right edge: the edges found cannot hold it
    assert.equal(refineCardQuad(img, 0, quad, { text: { u0: 130, v0: 120, u1: 560, v1: 320 } }), undefined);
  });
});
