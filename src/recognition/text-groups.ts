// Text that lies apart: boxes in the card frame grouped by nearness, so that a card is told from
// the card beside it (several-cards.ts) or the page of small print beside it, and a line height
// is a group's own (card.ts).

/**
 * Boxes further apart than this many line heights along the rows belong to different groups:
 * within a card the widest gap on a row is under two (性别 男 to 民族); two cards side by side
 * are apart by their margins and the gap between them (a card's large title and the other's
 * name, 80 px apart on a page where their lines are 50 px high: 4.3 line heights).
 */
const APART_ALONG = 3;
/**
 * Across the rows: within a card, the widest gap is an address of one line above the number
 * (≈ 4 line heights); cards one above the other are apart by both margins.
 */
const APART_ACROSS = 6;

/** A box in the card frame: centre (u along the rows, v across them) and size. */
export interface FrameBox {
  u: number;
  v: number;
  w: number;
  h: number;
}

/** Whether one set of boxes lies wholly to the left or right of the other, along the rows. */
export function beside(a: FrameBox[], b: FrameBox[]): boolean {
  const extent = (bs: FrameBox[]) => [Math.min(...bs.map((x) => x.u - x.w / 2)), Math.max(...bs.map((x) => x.u + x.w / 2))] as const;
  const [a0, a1] = extent(a), [b0, b1] = extent(b);
  return a1 <= b0 || b1 <= a0;
}

/** Single-linkage groups: two items are linked when their boxes are near in the card frame, in
 *  line heights of the smaller of the two. */
export function groupsApart<T>(items: T[], boxOf: (item: T) => FrameBox): T[][] {
  const boxes = items.map(boxOf);
  const parent = items.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!, b = boxes[j]!;
      const along = Math.abs(a.u - b.u) - (a.w + b.w) / 2;
      const across = Math.abs(a.v - b.v) - (a.h + b.h) / 2;
      // in the smaller text's line heights: a page's small print beside a card is not drawn into
      // the card by the card's larger lines, nor the card split by the page's many small ones
      const h = Math.min(a.h, b.h);
      if (along <= APART_ALONG * h && across <= APART_ACROSS * h) parent[root(i)] = root(j);
    }
  }
  const groups = new Map<number, T[]>();
  items.forEach((item, i) => {
    const r = root(i);
    const g = groups.get(r);
    if (g) g.push(item);
    else groups.set(r, [item]);
  });
  return [...groups.values()];
}
