// Plane geometry for placing the card: homographies and a 3D tilt projected to the frame.

export type Point = [number, number];
export type Quad = [Point, Point, Point, Point];
/** row-major 3×3 */
export type Homography = number[];

/** Solve A x = b (n×n, Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    if (Math.abs(pivot) < 1e-12) throw new Error('degenerate homography');
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / pivot;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** The homography taking each from[i] to to[i]. */
export function homography(from: Quad, to: Quad): Homography {
  const a: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    b.push(u);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.push(v);
  }
  return [...solve(a, b), 1];
}

export function apply(h: Homography, [x, y]: Point): Point {
  const w = h[6]! * x + h[7]! * y + h[8]!;
  return [(h[0]! * x + h[1]! * y + h[2]!) / w, (h[3]! * x + h[4]! * y + h[5]!) / w];
}

export interface Pose {
  /** in-plane rotation, degrees clockwise on screen */
  rollDeg: number;
  /** tilt about the card's horizontal and vertical axes, degrees */
  pitchDeg: number;
  yawDeg: number;
}

/** Card corners (TL, TR, BR, BL of the card itself) after tilt, roll and a pinhole projection,
 *  in arbitrary units centred on the origin. */
export function projectCard(widthMm: number, heightMm: number, pose: Pose): Quad {
  const rad = Math.PI / 180;
  const [cr, sr] = [Math.cos(pose.rollDeg * rad), Math.sin(pose.rollDeg * rad)];
  const [cp, sp] = [Math.cos(pose.pitchDeg * rad), Math.sin(pose.pitchDeg * rad)];
  const [cy, sy] = [Math.cos(pose.yawDeg * rad), Math.sin(pose.yawDeg * rad)];
  const distance = widthMm * 2.2;
  const corners: Point[] = [[-widthMm / 2, -heightMm / 2], [widthMm / 2, -heightMm / 2], [widthMm / 2, heightMm / 2], [-widthMm / 2, heightMm / 2]];
  return corners.map(([x0, y0]) => {
    // tilt in the card's own frame, then roll on screen
    const y1 = y0 * cp;
    const z1 = y0 * sp;
    const x2 = x0 * cy + z1 * sy;
    const z2 = -x0 * sy + z1 * cy;
    const f = distance / (distance + z2);
    const px = x2 * f, py = y1 * f;
    return [px * cr - py * sr, px * sr + py * cr] as Point;
  }) as Quad;
}

export function bounds(q: readonly Point[]): { minX: number; minY: number; maxX: number; maxY: number } {
  const xs = q.map((p) => p[0]);
  const ys = q.map((p) => p[1]);
  return { minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys) };
}

export function edgeLength(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}
