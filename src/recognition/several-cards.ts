// One image, more than one thing with text: the photocopy of both sides on one page
// (身份证正反面复印件), side by side or one above the other, and a card photographed beside a
// printed page. Rows grouped across them join the front's address to the back's 签发机关 line or
// to a line of the page, and a name to the back's title. So the text is split into groups that
// lie apart; when two or more of them each look like a side of a card one card is read (the front
// when there is one: this is the front-side API), and text beside the card is left out.
import { groupRows, type Row, type TextLine } from './lines.ts';
import type { CardSide } from './types.ts';
import { beside, groupsApart } from './text-groups.ts';

export interface OneCard {
  rows: Row[];
  side: CardSide;
  lines: TextLine[];
}

/**
 * The rows and side of the card to read. When two or more groups each make a side on their own,
 * the largest front (else the largest back) is read alone. When one group does, a group without
 * a side is dropped only when it lies beside that card, not above or below it — so a card whose
 * middle the detector missed (glare over the address) keeps its number line, which lies below.
 * When none does, every line is read together, as before.
 */
export function oneCard(lines: TextLine[], decideSide: (rows: Row[]) => CardSide): OneCard {
  const read = (ls: TextLine[]): OneCard => {
    const rows = groupRows(ls);
    return { rows, side: decideSide(rows), lines: ls };
  };
  const groups = groupsApart(lines, (l) => l.box);
  if (groups.length < 2) return read(lines);
  const decided = groups.map(read);
  const cards = decided.filter((c) => c.side !== 'none');
  if (cards.length === 0) return read(lines);
  if (cards.length >= 2) {
    const fronts = cards.filter((c) => c.side === 'front');
    return (fronts.length ? fronts : cards).reduce((a, b) => (b.lines.length > a.lines.length ? b : a));
  }
  const card = cards[0]!;
  const kept = decided.filter((g) => g === card || !beside(g.lines.map((l) => l.box), card.lines.map((l) => l.box)));
  return read(kept.length === decided.length ? lines : kept.flatMap((g) => g.lines));
}
