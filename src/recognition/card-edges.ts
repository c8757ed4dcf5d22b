// The card's own edges, found near an estimate of where they are (the estimate comes from the
// extent of the text and the card's proportions). Pure: pixels in, corners out, no I/O.
//
// For each side of the estimate, the image is sampled in a band across that side (on a grey,
// box-downscaled copy in which the card is about WORK_WIDTH pixels wide), differentiated across
// the side, and the straight line with the most gradient of one sign along it is chosen (a Hough
// over the line's two end offsets, each sample's contribution capped so a long faint edge beats a
// short strong one), with one polarity for all four sides (card lighter, or darker, than around
// it), so a shadow's outer edge is not taken. The line is then fitted to the sub-pixel gradient peaks near it, dropping
// outliers. The four lines are intersected; the result is kept only when it is convex, has about
// the card's 85.6:54 proportions (perspective allowed), is about the estimate's size and holds the
// text. A side lost at the image border (or under a hand) is put back from the opposite side and
// the card's proportions when the other three are sure. At least three edges must stand clearly
// above the band's texture, so a page of text or a scene gives undefined.
import type { RgbImage } from './pixels.ts';
import type { Quad } from './types.ts';

type Pt = [number, number];

/** The text's extent in the card frame (u = x cos a + y sin a along the lines, v = -x sin a + y cos a
 *  down the card), in the original image's pixels. */
export interface TextExtent {
  u0: number;
  v0: number;
  u1: number;
  v1: number;
}

export interface CardEdgeOptions {
  /** where the text is: a quad that does not hold it (within 3 % of the card's width) is refused */
  text?: TextExtent;
}

/** card width in the working grey copy, pixels */
const WORK_WIDTH = 256;
const CARD_ASPECT = 85.6 / 54;
/** how far each side may move from the estimate, as fractions of the card's width: [inward, outward]
 *  (top, right, bottom, left); set from how far pipeline.ts cardQuad's estimate falls from the true
 *  edges on the generated cards (its left edge is often well inside the card on backs, its right
 *  edge outside on fronts) */
const BANDS: Array<[number, number]> = [
  [0.06, 0.11],
  [0.075, 0.05],
  [0.06, 0.07],
  [0.06, 0.22],
];
/** the part of each side used (rounded corners and perspective spoil its ends) */
const SIDE_FROM = 0.1, SIDE_TO = 0.9;
/** a side is found when this share of its samples lies on the fitted line */
const MIN_SUPPORT = 0.4;
/** a sample's gradient counts at most this much (grey levels over two samples), or the band's
 *  median if higher: a long faint edge then beats a short strong one */
const CAP_MIN = 2;
/** how far an edge may turn from the estimate's side, as rise over the side's length */
const MAX_SLOPE = 0.2;
/** grey levels over two samples, along the edge's middle */
const MIN_CONTRAST = 2;

interface Grey {
  data: Float32Array;
  width: number;
  height: number;
  /** original pixel = (grey pixel + 0.5) * k + offset */
  k: number;
  x0: number;
  y0: number;
}

interface Line {
  /** a point and a unit direction, original image pixels */
  p: Pt;
  t: Pt;
  support: number;
  /** median gradient along the line, and the band's median gradient magnitude (grey levels over 2 samples) */
  contrast: number;
  noise: number;
}

/**
 * Refine the card's corners. `estimate` is the current quad (clockwise from the card's top-left,
 * original image pixels after EXIF orientation), `angle` the text lines' reading direction in the
 * image (the card frame's u axis). Returns the corners on the card's edges, in the same order,
 * or undefined when the edges are not found with confidence (keep the estimate then).
 */
export function refineCardQuad(img: RgbImage, angle: number, estimate: Quad, opts: CardEdgeOptions = {}): Quad | undefined {
  const est = estimate.map(([x, y]) => [x, y] as Pt);
  const widthPx = (dist(est[0]!, est[1]!) + dist(est[3]!, est[2]!)) / 2;
  const heightPx = (dist(est[0]!, est[3]!) + dist(est[1]!, est[2]!)) / 2;
  if (!(widthPx >= 16 && heightPx >= 10) || img.width < 8 || img.height < 8) return undefined;
  const text = textCorners(angle, opts.text);

  // the region any band can reach, and the grey copy of it
  const reach = 0.25 * widthPx;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of est) {
    x0 = Math.min(x0, x - reach); x1 = Math.max(x1, x + reach);
    y0 = Math.min(y0, y - reach); y1 = Math.max(y1, y + reach);
  }
  x0 = Math.max(0, Math.floor(x0)); y0 = Math.max(0, Math.floor(y0));
  x1 = Math.min(img.width, Math.ceil(x1)); y1 = Math.min(img.height, Math.ceil(y1));
  if (x1 - x0 < 8 || y1 - y0 < 8) return undefined;
  // one sample per `step` original pixels, from a copy averaged over blocks about that size
  const step = Math.max(1, widthPx / WORK_WIDTH);

  const bands: Array<{ a: Pt; b: Pt; inward: number; outward: number }> = [];
  for (let side = 0; side < 4; side++) {
    const a = est[side]!, b = est[(side + 1) % 4]!;
    // (the text's extent does not narrow the bands: under perspective its rectangle's corners
    // come closer to a tilted edge than the text does; it only vets the result)
    const [inward, outward] = BANDS[side]!;
    bands.push({ a, b, inward: inward * widthPx, outward: outward * widthPx });
  }
  // the grey copy, only where the bands are (with a margin of two blocks for the interpolation)
  const k = Math.max(1, Math.round(step));
  const polys = bands.map(({ a, b, inward, outward }) => {
    const len = dist(a, b), t = unit(sub(b, a)), n: Pt = [t[1], -t[0]];
    const at = (s: number, d: number): Pt => [a[0] + t[0] * s + n[0] * d, a[1] + t[1] * s + n[1] * d];
    const s0 = SIDE_FROM * len - 2 * k, s1 = SIDE_TO * len + 2 * k, d0 = -inward - 2 * k, d1 = outward + 2 * k;
    return [at(s0, d0), at(s1, d0), at(s1, d1), at(s0, d1)];
  });
  const grey = greyCopy(img, x0, y0, x1, y1, k, polys);
  const scans = bands.map(({ a, b, inward, outward }) => scanSide(grey, step, a, b, inward, outward));
  const lines: Array<Line | undefined> = [];
  // the card is on the same side of all four edges: lighter (or darker) than what is around it.
  // One polarity for all four keeps a shadow's outer edge or a darker object's from being taken.
  const coverage = (sign: 0 | 1) => scans.reduce((sum, sc) => sum + (sc ? sc.best[sign].score / (sc.cap * sc.used) : 0), 0);
  const polarity: 0 | 1 = coverage(0) >= coverage(1) ? 0 : 1;
  for (const sc of scans) lines.push(sc ? fitSide(sc, polarity) : undefined);

  const found = lines.filter((l) => l !== undefined).length;
  if (found < 3) return undefined;
  // a card's edges stand out: at least three of them clearly above the bands' texture, or faint
  // but along most of the side on a clean ground (a white card scanned on white). A page of text,
  // a blank or a scene gives faint, broken lines at best.
  const clear = (l: Line) =>
    l.contrast >= Math.max(MIN_CONTRAST, 2 * l.noise) || (l.support >= 0.8 && l.contrast >= Math.max(0.8, 4 * l.noise));
  if (lines.filter((l) => l && clear(l)).length < 3) return undefined;
  if (found === 3) {
    const missing = lines.findIndex((l) => l === undefined);
    lines[missing] = fromOpposite(lines, missing);
  }
  const L = lines as Line[];
  const corners: Pt[] = [];
  for (let i = 0; i < 4; i++) {
    // corner i joins side i-1 (ending at it) and side i (starting from it)
    const c = intersect(L[(i + 3) % 4]!, L[i]!);
    if (!c) return undefined;
    corners.push(c);
  }
  if (!plausible(corners, est, text)) return undefined;
  return corners.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10]) as Quad;
}

/** The text extent's corners in image pixels. */
function textCorners(angle: number, t?: TextExtent): Pt[] | undefined {
  if (!t) return undefined;
  const c = Math.cos(angle), s = Math.sin(angle);
  const at = (u: number, v: number): Pt => [u * c - v * s, u * s + v * c];
  return [at(t.u0, t.v0), at(t.u1, t.v0), at(t.u1, t.v1), at(t.u0, t.v1)];
}

/** Grey (0..255) mean of k x k blocks over [x0, x1) x [y0, y1), computed only for blocks inside
 *  one of the convex `polys` (the rest stays 0 and is never read); in big blocks, of a grid of at
 *  most 2 x 2 of their pixels (the image is smooth at that scale, and reading every pixel of a
 *  4096 px photo would cost more than all the rest). */
function greyCopy(img: RgbImage, x0: number, y0: number, x1: number, y1: number, k: number, polys: Pt[][]): Grey {
  const w = Math.max(1, Math.floor((x1 - x0) / k)), h = Math.max(1, Math.floor((y1 - y0) / k));
  const out = new Float32Array(w * h);
  const src = img.data, stride = img.width * 3;
  const per = Math.min(k, 2), gap = k / per, first = Math.floor(gap / 2);
  const offs = Array.from({ length: per }, (_, i) => first + Math.floor(i * gap));
  const norm = 1 / (256 * per * per);
  const done = new Uint8Array(w);
  for (let gy = 0; gy < h; gy++) {
    const yTop = y0 + gy * k, yBot = yTop + k;
    done.fill(0);
    for (const poly of polys) {
      const span = rowSpan(poly, yTop, yBot);
      if (!span) continue;
      const gx0 = Math.max(0, Math.floor((span[0] - x0) / k)), gx1 = Math.min(w - 1, Math.floor((span[1] - x0) / k));
      for (let gx = gx0; gx <= gx1; gx++) {
        if (done[gx]) continue;
        done[gx] = 1;
        let acc = 0;
        const base = gx * k * 3 + x0 * 3;
        for (const dy of offs) {
          const rowStart = (yTop + dy) * stride + base;
          for (const dx of offs) {
            const p = rowStart + dx * 3;
            acc += 77 * src[p]! + 150 * src[p + 1]! + 29 * src[p + 2]!;
          }
        }
        out[gy * w + gx] = acc * norm;
      }
    }
  }
  return { data: out, width: w, height: h, k, x0, y0 };
}

/** The x extent of a convex polygon between two heights, or undefined when it misses them. */
function rowSpan(poly: Pt[], yTop: number, yBot: number): [number, number] | undefined {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < poly.length; i++) {
    const [ax, ay] = poly[i]!, [bx, by] = poly[(i + 1) % poly.length]!;
    // the part of edge a-b between the two heights
    const ya = Math.max(yTop, Math.min(ay, by)), yb = Math.min(yBot, Math.max(ay, by));
    if (ya > yb) continue;
    for (const y of [ya, yb]) {
      const x = ay === by ? (y === ay ? Math.min(ax, bx) : NaN) : ax + ((bx - ax) * (y - ay)) / (by - ay);
      const x2 = ay === by ? Math.max(ax, bx) : x;
      if (Number.isNaN(x)) continue;
      lo = Math.min(lo, x, x2); hi = Math.max(hi, x, x2);
    }
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/**
 * The edge near the side a -> b (clockwise, so the card is on its right): sampled in a band
 * from `inward` inside to `outward` outside (original pixels), one sample per grey pixel.
 */
function scanSide(g: Grey, step: number, a: Pt, b: Pt, inward: number, outward: number): Scan | undefined {
  const len = dist(a, b);
  const t = unit(sub(b, a));
  const n: Pt = [t[1], -t[0]]; // outward
  const M = Math.max(8, Math.round(((SIDE_TO - SIDE_FROM) * len) / step));
  const dMin = -inward, N = Math.max(5, Math.round((inward + outward) / step) + 1);
  // strip of grey values (bilinear, NaN off the copy), then its derivative across the side
  const S = new Float32Array(M * N);
  const gd = g.data, gw = g.width, gh = g.height;
  const ux = (t[0] * len * (SIDE_TO - SIDE_FROM)) / (M - 1) / g.k, uy = (t[1] * len * (SIDE_TO - SIDE_FROM)) / (M - 1) / g.k;
  const vx = (n[0] * step) / g.k, vy = (n[1] * step) / g.k;
  const sx = (a[0] + t[0] * len * SIDE_FROM + n[0] * dMin - g.x0) / g.k - 0.5;
  const sy = (a[1] + t[1] * len * SIDE_FROM + n[1] * dMin - g.y0) / g.k - 0.5;
  for (let i = 0, o = 0; i < M; i++) {
    let gx = sx + ux * i, gy = sy + uy * i;
    for (let j = 0; j < N; j++, o++, gx += vx, gy += vy) {
      if (gx < 0 || gy < 0 || gx >= gw - 1 || gy >= gh - 1) { S[o] = NaN; continue; }
      const xi = gx | 0, yi = gy | 0, fx = gx - xi, fy = gy - yi;
      const p = yi * gw + xi;
      const top = gd[p]! + (gd[p + 1]! - gd[p]!) * fx;
      const bot = gd[p + gw]! + (gd[p + gw + 1]! - gd[p + gw]!) * fx;
      S[o] = top + (bot - top) * fy;
    }
  }
  const G = new Float32Array(M * N);
  const mags = new Float32Array(Math.ceil(M / 4) * N);
  let nm = 0;
  for (let i = 0; i < M; i++) {
    for (let j = 1; j < N - 1; j++) {
      const v = S[i * N + j + 1]! - S[i * N + j - 1]!;
      if (v === v) {
        G[i * N + j] = v;
        if ((i & 3) === 0) mags[nm++] = Math.abs(v);
      }
    }
  }
  if (nm < 16) return undefined;
  const sorted = mags.subarray(0, nm).sort();
  const cap = Math.max(CAP_MIN, sorted[nm >> 1]!);

  // Hough over the line's offsets at both ends of the strip (in strip cells)
  const maxSlope = Math.ceil(MAX_SLOPE * M);
  const iStep = Math.max(1, Math.round(M / 48));
  let lastPos = 0, lastNeg = 0;
  const score = (j0: number, j1: number): void => {
    let pos = 0, neg = 0;
    const slope = (j1 - j0) / (M - 1);
    for (let i = 0; i < M; i += iStep) {
      const v = G[i * N + ((j0 + slope * i + 0.5) | 0)]!;
      if (v > 0) pos += v < cap ? v : cap;
      else neg -= v > -cap ? v : -cap;
    }
    lastPos = pos; lastNeg = neg;
  };
  // for each polarity (0: brighter outside, 1: darker outside): coarse (every other offset at
  // each end), then the neighbourhood of the best at full resolution
  const best: Scan['best'] = [{ score: 0, j0: -1, j1: -1 }, { score: 0, j0: -1, j1: -1 }];
  for (let j0 = 1; j0 < N - 1; j0 += 2) {
    for (let j1 = Math.max(1, j0 - maxSlope); j1 <= Math.min(N - 2, j0 + maxSlope); j1 += 2) {
      score(j0, j1);
      if (lastPos > best[0].score) best[0] = { score: lastPos, j0, j1 };
      if (lastNeg > best[1].score) best[1] = { score: lastNeg, j0, j1 };
    }
  }
  for (const sign of [0, 1] as const) {
    const c = best[sign];
    if (c.j0 < 0) continue;
    const c0 = c.j0, c1 = c.j1;
    for (let j0 = Math.max(1, c0 - 2); j0 <= Math.min(N - 2, c0 + 2); j0++) {
      for (let j1 = Math.max(1, c1 - 2); j1 <= Math.min(N - 2, c1 + 2); j1++) {
        score(j0, j1);
        const v = sign === 0 ? lastPos : lastNeg;
        if (v > best[sign].score) best[sign] = { score: v, j0, j1 };
      }
    }
  }
  return { G, M, N, cap, noise: sorted[nm >> 1]!, used: Math.ceil(M / iStep), best, a, t, n, len, dMin, step };
}

interface Scan {
  /** derivative across the side, M samples along it by N offsets across */
  G: Float32Array;
  M: number;
  N: number;
  cap: number;
  noise: number;
  /** samples per Hough line */
  used: number;
  /** the best line of each polarity: summed capped gradient, end offsets */
  best: [{ score: number; j0: number; j1: number }, { score: number; j0: number; j1: number }];
  a: Pt;
  t: Pt;
  n: Pt;
  len: number;
  dMin: number;
  step: number;
}

/** The line of the chosen polarity fitted to the gradient peaks near the Hough's best. */
function fitSide(sc: Scan, polarity: 0 | 1): Line | undefined {
  const { G, M, N, cap, a, t, n, len, dMin, step } = sc;
  const { j0: bestJ0, j1: bestJ1 } = sc.best[polarity];
  if (bestJ0 < 0) return undefined;
  const bestSign = polarity === 0 ? 1 : -1;
  // sub-pixel peaks near that line, then a line fit with outliers dropped
  const ss: number[] = [], ds: number[] = [];
  const slope = (bestJ1 - bestJ0) / (M - 1);
  for (let i = 0; i < M; i++) {
    const jc = Math.round(bestJ0 + slope * i);
    let bj = -1, bv = 0.35 * cap;
    for (let j = Math.max(1, jc - 2); j <= Math.min(N - 2, jc + 2); j++) {
      const v = bestSign * G[i * N + j]!;
      if (v > bv) { bv = v; bj = j; }
    }
    if (bj < 0) continue;
    let off = 0;
    if (bj > 1 && bj < N - 2) {
      const l = bestSign * G[i * N + bj - 1]!, r = bestSign * G[i * N + bj + 1]!;
      const den = l - 2 * bv + r;
      if (den < 0) off = Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / den));
    }
    ss.push(i);
    ds.push(bj + off);
  }
  let fit = fitLine(ss, ds, undefined);
  if (!fit) return undefined;
  for (const tol of [2, 1.2]) {
    const keep = ss.map((s, q) => Math.abs(ds[q]! - (fit!.a + fit!.b * s)) <= tol);
    const next = fitLine(ss, ds, keep);
    if (!next) return undefined;
    fit = next;
  }
  const support = fit.count / M;
  if (support < MIN_SUPPORT) return undefined;
  // back to image coordinates: cell (i, j) is at s(i) along, dMin + j * step out
  const toImg = (i: number, j: number): Pt => {
    const s = len * (SIDE_FROM + ((SIDE_TO - SIDE_FROM) * i) / (M - 1));
    const d = dMin + j * step;
    return [a[0] + t[0] * s + n[0] * d, a[1] + t[1] * s + n[1] * d];
  };
  const along = new Float32Array(M);
  for (let i = 0; i < M; i++) {
    const j = Math.round(fit.a + fit.b * i);
    along[i] = j >= 1 && j <= N - 2 ? bestSign * G[i * N + j]! : 0;
  }
  along.sort();
  const p = toImg(0, fit.a), q = toImg(M - 1, fit.a + fit.b * (M - 1));
  return { p, t: unit(sub(q, p)), support, contrast: along[M >> 1]!, noise: sc.noise };
}

function fitLine(xs: number[], ys: number[], keep: boolean[] | undefined): { a: number; b: number; count: number } | undefined {
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    if (keep && !keep[i]) continue;
    const x = xs[i]!, y = ys[i]!;
    n++; sx += x; sy += y; sxx += x * x; sxy += x * y;
  }
  if (n < 4) return undefined;
  const den = n * sxx - sx * sx;
  if (den <= 0) return undefined;
  const b = (n * sxy - sx * sy) / den;
  return { a: (sy - b * sx) / n, b, count: n };
}

/** A side put back parallel to the opposite one, at the card's proportions from it. */
function fromOpposite(lines: Array<Line | undefined>, missing: number): Line | undefined {
  const opp = lines[(missing + 2) % 4]!, l1 = lines[(missing + 1) % 4]!, l3 = lines[(missing + 3) % 4]!;
  if (!opp || !l1 || !l3) return undefined;
  const c1 = intersect(opp, l1), c3 = intersect(opp, l3);
  if (!c1 || !c3) return undefined;
  const along = dist(c1, c3);
  // sides 0 and 2 are the long ones: a missing long side lies a card height away, a short one a width
  const across = missing % 2 === 0 ? along / CARD_ASPECT : along * CARD_ASPECT;
  // the opposite line runs clockwise around the card, so the card (and the missing side) is on its right
  const n: Pt = [-opp.t[1], opp.t[0]];
  return { p: [opp.p[0] + n[0] * across, opp.p[1] + n[1] * across], t: [-opp.t[0], -opp.t[1]], support: 0, contrast: 0, noise: 0 };
}

function intersect(l: Line, m: Line): Pt | undefined {
  const den = l.t[0] * m.t[1] - l.t[1] * m.t[0];
  if (Math.abs(den) < 0.2) return undefined; // under ~11.5 degrees apart
  const dx = m.p[0] - l.p[0], dy = m.p[1] - l.p[1];
  const s = (dx * m.t[1] - dy * m.t[0]) / den;
  return [l.p[0] + l.t[0] * s, l.p[1] + l.t[1] * s];
}

/** Convex, clockwise, card-shaped, about the estimate's size and place, around the text. */
function plausible(q: Pt[], est: Pt[], text: Pt[] | undefined): boolean {
  for (let i = 0; i < 4; i++) {
    const a = q[i]!, b = q[(i + 1) % 4]!, c = q[(i + 2) % 4]!;
    if (cross(sub(b, a), sub(c, b)) <= 0) return false; // clockwise in y-down coordinates
  }
  const top = dist(q[0]!, q[1]!), bottom = dist(q[3]!, q[2]!);
  const left = dist(q[0]!, q[3]!), right = dist(q[1]!, q[2]!);
  const aspect = (top + bottom) / (left + right);
  if (aspect < CARD_ASPECT * 0.87 || aspect > CARD_ASPECT * 1.14) return false;
  // perspective shortens the far side, but not to under 75 % of the near one
  if (Math.min(top, bottom) < 0.75 * Math.max(top, bottom) || Math.min(left, right) < 0.75 * Math.max(left, right)) return false;
  const area = polygonArea(q), estArea = polygonArea(est);
  if (area < 0.6 * estArea || area > 1.7 * estArea) return false;
  const estW = (dist(est[0]!, est[1]!) + dist(est[3]!, est[2]!)) / 2;
  for (let i = 0; i < 4; i++) if (dist(q[i]!, est[i]!) > 0.3 * estW) return false;
  if (text) {
    // the text's rectangle is square to the lines; under perspective its corners may stick out a little
    const margin = -0.03 * estW;
    for (const p of text) if (!inside(q, p, margin)) return false;
  }
  return true;
}

/** Whether p lies inside the clockwise convex quad, at least `margin` from every side
 *  (a negative margin lets it stick out that far). */
function inside(q: Pt[], p: Pt, margin: number): boolean {
  for (let i = 0; i < 4; i++) {
    const a = q[i]!, b = q[(i + 1) % 4]!;
    const t = unit(sub(b, a));
    // the inside is on the right of travel: positive cross(t, p - a) in y-down coordinates
    if (cross(t, sub(p, a)) < margin) return false;
  }
  return true;
}

function polygonArea(q: Pt[]): number {
  let s = 0;
  for (let i = 0; i < q.length; i++) s += cross(q[i]!, q[(i + 1) % q.length]!);
  return Math.abs(s) / 2;
}

const sub = (a: Pt, b: Pt): Pt => [a[0] - b[0], a[1] - b[1]];
const cross = (a: Pt, b: Pt) => a[0] * b[1] - a[1] * b[0];
const dist = (a: Pt, b: Pt) => Math.hypot(a[0] - b[0], a[1] - b[1]);
const unit = (a: Pt): Pt => {
  const l = Math.hypot(a[0], a[1]) || 1;
  return [a[0] / l, a[1] / l];
};
