// Plane geometry for text boxes: convex hull, minimum-area rectangle, rotated rectangles.

export type Point = [number, number];

/** A rotated rectangle. `w` runs along `angle` (radians), `h` across it. */
export interface RotatedRect {
  cx: number;
  cy: number;
  w: number;
  h: number;
  angle: number;
}

/** Andrew's monotone chain; points as a flat [x0, y0, x1, y1, ...] list. */
export function convexHull(xy: ArrayLike<number>, n: number): Point[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => xy[2 * a]! - xy[2 * b]! || xy[2 * a + 1]! - xy[2 * b + 1]!);
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const i of idx) {
    const p: Point = [xy[2 * i]!, xy[2 * i + 1]!];
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let k = idx.length - 1; k >= 0; k--) {
    const i = idx[k]!;
    const p: Point = [xy[2 * i]!, xy[2 * i + 1]!];
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/** Minimum-area enclosing rectangle of a convex polygon (rotating calipers over its edges). */
export function minAreaRect(hull: Point[]): RotatedRect {
  if (hull.length === 1) return { cx: hull[0]![0], cy: hull[0]![1], w: 1, h: 1, angle: 0 };
  let best: RotatedRect | null = null;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len === 0) continue;
    const ux = (b[0] - a[0]) / len;
    const uy = (b[1] - a[1]) / len;
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
    for (const p of hull) {
      const u = p[0] * ux + p[1] * uy;
      const v = -p[0] * uy + p[1] * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, w: maxU - minU, h: maxV - minV, angle: Math.atan2(uy, ux) };
    }
  }
  return normalizeRect(best ?? { cx: hull[0]![0], cy: hull[0]![1], w: 1, h: 1, angle: 0 });
}

/** Make `w` the long side and the angle lie in [-pi/2, pi/2). */
export function normalizeRect(r: RotatedRect): RotatedRect {
  let { w, h, angle } = r;
  if (h > w) {
    [w, h] = [h, w];
    angle += Math.PI / 2;
  }
  angle = wrapHalfTurn(angle);
  return { cx: r.cx, cy: r.cy, w, h, angle };
}

/** Angle modulo pi, into [-pi/2, pi/2). */
export function wrapHalfTurn(a: number): number {
  while (a >= Math.PI / 2) a -= Math.PI;
  while (a < -Math.PI / 2) a += Math.PI;
  return a;
}

/** Angle modulo 2 pi, into [-pi, pi). */
export function wrapTurn(a: number): number {
  while (a >= Math.PI) a -= 2 * Math.PI;
  while (a < -Math.PI) a += 2 * Math.PI;
  return a;
}

/** Corners clockwise (in image coordinates, y down) from the rect's own top-left. */
export function rectCorners(r: RotatedRect): [Point, Point, Point, Point] {
  const ux = Math.cos(r.angle), uy = Math.sin(r.angle);
  const vx = -uy, vy = ux;
  const hw = r.w / 2, hh = r.h / 2;
  const at = (su: number, sv: number): Point => [r.cx + su * hw * ux + sv * hh * vx, r.cy + su * hw * uy + sv * hh * vy];
  return [at(-1, -1), at(1, -1), at(1, 1), at(-1, 1)];
}
