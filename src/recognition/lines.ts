// Recognised text lines in the card frame, grouped into rows, and the means to cut a field's
// value out of a row (after its label, before the next label) and decode it.
import type { CardBox } from './card.ts';
import { constrainedDecode, greedyDecode, type Decoded, type DecodedChar, type LineProbs } from './ocr/ctc.ts';

export interface TextLine {
  box: CardBox;
  probs: LineProbs;
  /** free (unconstrained) decode of the whole line */
  text: Decoded;
}

export interface Row {
  lines: TextLine[];
  /** centre across the lines, in the card frame */
  v: number;
  /** median line height */
  h: number;
  /** the free decode of the row, lines in reading order */
  chars: RowChar[];
  text: string;
}

export interface RowChar extends DecodedChar {
  line: number;
}

/** A piece of a line holding (part of) a value: steps [from, to). */
export interface Span {
  line: TextLine;
  from: number;
  to: number;
}

export interface Charset {
  charset: string[];
  classOf: Map<string, number>;
}

/** Group lines into rows by their position across the lines (v), then order each by u. */
export function groupRows(lines: TextLine[]): Row[] {
  const sorted = [...lines].sort((a, b) => a.box.v - b.box.v);
  const rows: TextLine[][] = [];
  for (const l of sorted) {
    const row = rows.find((r) => {
      const ref = r.reduce((s, x) => s + x.box.v, 0) / r.length;
      const h = Math.min(l.box.h, ...r.map((x) => x.box.h));
      return Math.abs(l.box.v - ref) < 0.45 * h;
    });
    if (row) row.push(l);
    else rows.push([l]);
  }
  return rows
    .map((r) => makeRow(r.sort((a, b) => a.box.u - b.box.u)))
    .sort((a, b) => a.v - b.v);
}

function makeRow(lines: TextLine[]): Row {
  const chars: RowChar[] = [];
  lines.forEach((l, i) => l.text.chars.forEach((c) => chars.push({ ...c, line: i })));
  const hs = lines.map((l) => l.box.h).sort((a, b) => a - b);
  return {
    lines,
    v: lines.reduce((s, l) => s + l.box.v, 0) / lines.length,
    h: hs[hs.length >> 1]!,
    chars,
    text: chars.map((c) => c.char).join(''),
  };
}

/**
 * Where `label` sits in the row: the index of its last character in `row.chars`, or -1.
 * Tolerates one misread character (two for labels of 4+ characters) and spaces.
 */
export function findLabel(row: Row, label: string, maxStart = Infinity): number {
  const cs = row.chars.filter((c) => c.char !== ' ');
  const need = label.length <= 2 ? label.length : label.length <= 4 ? label.length - 1 : label.length - 2;
  let best = -1, bestMatched = 0;
  for (let i = 0; i < cs.length && i <= maxStart; i++) {
    let matched = 0;
    for (let j = 0; j < label.length && i + j < cs.length; j++) if (cs[i + j]!.char === label[j]) matched++;
    if (matched >= need && matched > bestMatched) {
      bestMatched = matched;
      best = row.chars.indexOf(cs[Math.min(cs.length - 1, i + label.length - 1)]!);
    }
  }
  if (best < 0 && label.length === 2) {
    // a two-character label read as one: 名 alone, 别 alone...
    const i = cs.findIndex((c, k) => k <= Math.min(maxStart, 1) && c.char === label[1]);
    if (i >= 0) best = row.chars.indexOf(cs[i]!);
  }
  return best;
}

/** The spans of a row strictly between row characters `after` and `before` (indices into
 *  row.chars; -1 / chars.length for the row's ends). */
export function spansBetween(row: Row, after: number, before = row.chars.length): Span[] {
  const spans: Span[] = [];
  const a = after >= 0 ? row.chars[after] : undefined;
  const b = before < row.chars.length ? row.chars[before] : undefined;
  row.lines.forEach((line, i) => {
    if (a && i < a.line) return;
    if (b && i > b.line) return;
    let from = 0, to = line.probs.steps;
    if (a && i === a.line) {
      const nextInLine = line.text.chars.find((c) => c.t0 > a.t1);
      from = nextInLine ? Math.max(a.t1 + 1, (a.t1 + nextInLine.t0 + 1) >> 1) : line.probs.steps;
    }
    if (b && i === b.line) {
      const prevInLine = [...line.text.chars].reverse().find((c) => c.t1 < b.t0);
      to = prevInLine ? Math.min(b.t0, ((prevInLine.t1 + b.t0) >> 1) + 1) : 0;
    }
    if (to > from) spans.push({ line, from, to });
  });
  return spans;
}

export function decodeSpans(spans: Span[], cs: Charset, allowed?: readonly number[], minProb = 0): Decoded {
  const parts = spans.map((s) =>
    allowed ? constrainedDecode(s.line.probs, cs.charset, allowed, s.from, s.to, minProb) : greedyDecode(s.line.probs, cs.charset, s.from, s.to),
  );
  const chars = parts.flatMap((p) => p.chars);
  const text = chars.map((c) => c.char).join('');
  const confidence = chars.length ? chars.reduce((s, c) => s + c.prob, 0) / chars.length : 0;
  return { text, chars, confidence };
}

/** The lowest character probability: one doubtful character makes the whole field doubtful. */
export function minProb(d: Decoded): number {
  return d.chars.length ? Math.min(...d.chars.map((c) => c.prob)) : 0;
}
