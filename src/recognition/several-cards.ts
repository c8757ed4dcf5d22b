// One image, more than one card: the photocopy of both sides on one page (身份证正反面复印件),
// side by side or one above the other, is what many people send. Rows grouped across the two
// cards join the front's address to the back's 签发机关 line, and a name to the back's title.
// So the text is split into groups that lie apart, and when two or more of them each look like
// a side of a card, one card is read: the front when there is one (this is the front-side API).
import { groupRows, type Row, type TextLine } from './lines.ts';
import type { CardSide } from './types.ts';

/**
 * Boxes further apart than this many line heights along the rows belong to different groups:
 * within a card the widest gap on a row is a few characters (性别 男 to 民族); two cards side
 * by side are apart by their margins, ≥ 6 line heights with the cards touching.
 */
const APART_ALONG = 4.5;
/**
 * Across the rows: within a card, the widest gap is an address of one line above the number
 * (≈ 4 line heights); cards one above the other are apart by both margins.
 */
const APART_ACROSS = 6;

export interface OneCard {
  rows: Row[];
  side: CardSide;
  lines: TextLine[];
}

/**
 * The rows and side of the card to read. Splitting only happens when two groups each make a
 * side on their own, so a card whose middle the detector missed (glare over the address) is
 * never cut in two: its halves do not both look like a card.
 */
export function oneCard(lines: TextLine[], decideSide: (rows: Row[]) => CardSide): OneCard {
  const rows = groupRows(lines);
  const whole: OneCard = { rows, side: decideSide(rows), lines };
  const groups = groupsApart(lines);
  if (groups.length < 2) return whole;
  const cards = groups
    .map((g) => {
      const r = groupRows(g);
      return { rows: r, side: decideSide(r), lines: g };
    })
    .filter((c) => c.side !== 'none');
  if (cards.length < 2) return whole;
  const fronts = cards.filter((c) => c.side === 'front');
  const pick = (fronts.length ? fronts : cards).reduce((a, b) => (b.lines.length > a.lines.length ? b : a));
  return pick;
}

/** Single-linkage groups of lines: two lines are linked when their boxes are near in the card frame. */
export function groupsApart(lines: TextLine[]): TextLine[][] {
  const heights = lines.map((l) => l.box.h).sort((a, b) => a - b);
  const h = heights[heights.length >> 1] ?? 0;
  const parent = lines.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const a = lines[i]!.box, b = lines[j]!.box;
      const along = Math.abs(a.u - b.u) - (a.w + b.w) / 2;
      const across = Math.abs(a.v - b.v) - (a.h + b.h) / 2;
      if (along <= APART_ALONG * h && across <= APART_ACROSS * h) parent[root(i)] = root(j);
    }
  }
  const groups = new Map<number, TextLine[]>();
  lines.forEach((l, i) => {
    const r = root(i);
    groups.set(r, [...(groups.get(r) ?? []), l]);
  });
  return [...groups.values()];
}
