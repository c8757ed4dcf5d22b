// Recognised text lines in the card frame, grouped into rows, and the means to cut a field's
// value out of a row (after its label, before the next label) and decode it.
import { movedBox, type CardBox } from './card.ts';
import { constrainedDecode, greedyDecode, type Decoded, type DecodedChar, type LineProbs } from './ocr/ctc.ts';

export interface TextLine {
  box: CardBox;
  probs: LineProbs;
  /** free (unconstrained) decode of the whole line */
  text: Decoded;
  /** steps from here on are also covered by the next box of the row */
  cut?: number;
  /** typical advance of a full-width character, in steps, over the card */
  pitch?: number;
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

/** Reads the given lines again from a differently scaled crop: the pipeline's second look. */
export type Reread = (lines: TextLine[]) => Promise<TextLine[]>;

/**
 * The second look at a place where the detector found no line: `ref`'s box moved `dv` across
 * the rows and stretched from `left` to `right` along them, read once.
 */
export async function readPlace(ref: TextLine, left: number, right: number, dv: number, reread: Reread): Promise<TextLine | undefined> {
  const w = right - left;
  const box = movedBox(ref.box, left + w / 2 - ref.box.u, dv, w);
  const steps = Math.max(1, Math.round((ref.probs.steps * w) / Math.max(1, ref.box.w)));
  const guess: TextLine = { box, probs: { probs: new Float32Array(0), steps, classes: ref.probs.classes }, text: { text: '', chars: [], confidence: 0 } };
  if (ref.pitch) guess.pitch = ref.pitch;
  const [again] = await reread([guess]);
  return again;
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
      const dv = r.reduce((s, x) => s + acrossRows(l.box, x.box), 0) / r.length;
      const h = Math.min(l.box.h, ...r.map((x) => x.box.h));
      return Math.abs(dv) < 0.45 * h;
    });
    if (row) row.push(l);
    else rows.push([l]);
  }
  return rows
    .map((r) => makeRow(r.sort((a, b) => a.box.u - b.box.u)))
    .sort((a, b) => a.v - b.v);
}

/**
 * How far `a` stands below `b`, compared halfway between them along the rows: a card seen in
 * perspective tilts its lines, so a long number and its label beside it can be centred half a
 * line apart and still stand on one row.
 */
function acrossRows(a: CardBox, b: CardBox): number {
  const mid = (a.u + b.u) / 2;
  return a.v + (a.slope ?? 0) * (mid - a.u) - (b.v + (b.slope ?? 0) * (mid - b.u));
}

/** A character's position along the row: the recogniser's steps cover the box evenly. */
export function charU(l: TextLine, c: DecodedChar): number {
  return l.box.u - l.box.w / 2 + ((c.t0 + c.t1) / 2 + 0.5) * (l.box.w / Math.max(1, l.probs.steps));
}

/**
 * The first of this line's last characters that the next box reads again: the longest tail
 * equal to the next box's head, standing inside the overlap (within an advance of its start).
 */
function repeatedTail(l: TextLine, next: TextLine, advance: number): DecodedChar | undefined {
  const mine = l.text.chars.filter((c) => c.char !== ' ');
  const theirs = next.text.chars.filter((c) => c.char !== ' ');
  const nextLeft = next.box.u - next.box.w / 2;
  // a box lying mostly inside the next one is a piece of its line the detector also found on
  // its own (a lone 5 before 5月16日): all of it may be read again there
  const inside = l.box.u + l.box.w / 2 - nextLeft >= 0.6 * l.box.w;
  for (let k = Math.min(mine.length - (inside ? 0 : 1), theirs.length, 6); k >= 1; k--) {
    const tail = mine.slice(mine.length - k);
    if (tail.some((c, i) => c.char !== theirs[i]!.char)) continue;
    if (charU(l, tail[0]!) >= nextLeft - advance) return tail[0];
  }
  return undefined;
}

/** The first character that stands where the next box's first one does. */
function clashByPosition(l: TextLine, next: TextLine, nextFirst: DecodedChar, advance: number): DecodedChar | undefined {
  const from = charU(next, nextFirst) - 0.6 * ems(nextFirst.char) * advance;
  return l.text.chars.find((c) => c.char !== ' ' && charU(l, c) >= from);
}

function makeRow(lines: TextLine[]): Row {
  const chars: RowChar[] = [];
  lines.forEach((l, i) => {
    // where the next box overlaps this one the detector cut the line twice: read that part once
    const next = lines[i + 1];
    const nextFirst = next?.text.chars.find((c) => c.char !== ' ');
    if (next && nextFirst && l.box.u + l.box.w / 2 > next.box.u - next.box.w / 2) {
      // a character's advance: the card's pitch where known (the box height is the text's
      // plus the detector's margins, about twice a character's width)
      const advance = next.pitch ? (next.pitch * next.box.w) / Math.max(1, next.probs.steps) : 0.55 * next.box.h;
      const clash = repeatedTail(l, next, advance) ?? clashByPosition(l, next, nextFirst, advance);
      if (clash) l.cut = clash.t0;
    }
    const cut = l.cut ?? l.probs.steps;
    l.text.chars.forEach((c) => {
      if (c.t0 < cut) chars.push({ ...c, line: i });
    });
  });
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
 * Tolerates one misread character (two for labels of 4+ characters) and spaces; `loose` also
 * takes a two-character label from one of its characters at the row's start.
 */
export function findLabel(row: Row, label: string, maxStart = Infinity, loose = true): number {
  // full-width spaces too: 民　族 is printed spaced out
  const cs = row.chars.filter((c) => !/\s/.test(c.char));
  const need = label.length <= 2 ? label.length : label.length <= 4 ? label.length - 1 : label.length - 2;
  let best = -1, bestMatched = 0;
  for (let i = 0; i < cs.length && i <= maxStart; i++) {
    let matched = 0, lastMatched = i;
    for (let j = 0; j < label.length && i + j < cs.length; j++) {
      if (cs[i + j]!.char === label[j]) { matched++; lastMatched = i + j; }
    }
    if (matched >= need && matched > bestMatched) {
      bestMatched = matched;
      // the label ends where its length says, but never in a later box than its last matched
      // character: 公民身份码 (号 unread) must not take the number's first digit for its end
      let end = Math.min(cs.length - 1, i + label.length - 1);
      while (end > lastMatched && cs[end]!.line !== cs[lastMatched]!.line) end--;
      best = row.chars.indexOf(cs[end]!);
    }
  }
  if (best < 0 && loose && label.length === 2) {
    // a two-character label read as one (名 alone, 别 alone) or cut after its first (住 alone)
    const i = cs.findIndex((c, k) => k <= Math.min(maxStart, 1) && c.char === label[1]);
    if (i >= 0) best = row.chars.indexOf(cs[i]!);
    else if (cs[0]?.char === label[0] && maxStart <= 2) best = row.chars.indexOf(cs[0]!);
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
    let from = 0, to = line.cut ?? line.probs.steps;
    if (a && i === a.line) {
      const nextInLine = line.text.chars.find((c) => c.t0 > a.t1);
      from = nextInLine ? Math.max(a.t1 + 1, (a.t1 + nextInLine.t0 + 1) >> 1) : a.t1 + 2;
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
  const parts = spans.map((s) => {
    if (allowed) return constrainedDecode(s.line.probs, cs.charset, allowed, s.from, s.to, minProb);
    const d = gapAwareDecode(s, cs);
    for (const c of d.chars) c.source = s.line.probs;
    return d;
  });
  const chars = parts.flatMap((p) => p.chars);
  const text = chars.map((c) => c.char).join('');
  const confidence = chars.length ? chars.reduce((s, c) => s + c.prob, 0) / chars.length : 0;
  return { text, chars, confidence };
}

/** The lowest character probability: one doubtful character makes the whole field doubtful. */
export function minProb(d: Decoded): number {
  return d.chars.length ? Math.min(...d.chars.map((c) => c.prob)) : 0;
}

/** width of a character in ems: CJK full width, ASCII about half */
function ems(ch: string): number {
  return ch.charCodeAt(0) < 0x2e80 ? 0.55 : 1;
}

/**
 * Free decode of a span that also notices characters the model swallowed: where two decoded
 * characters stand further apart than their widths explain (or the line ends well after the
 * last one), a character was there. It is put back as the best non-blank class over the gap,
 * with that class's (typically low) probability, so a name with a character outside the
 * model's dictionary reads as doubtful instead of confidently short.
 */
export function gapAwareDecode(span: Span, cs: Charset): Decoded {
  const { line, from, to } = span;
  const all = line.text.chars.filter((c) => c.char !== ' ');
  const d = greedyDecode(line.probs, cs.charset, from, to);
  const chars = d.chars.filter((c) => c.char !== ' ');
  if ((all.length < 2 && !line.pitch) || !chars.length) return d;
  const centre = (c: DecodedChar) => (c.t0 + c.t1) / 2;
  const pitches: number[] = [];
  for (let i = 1; i < all.length; i++) pitches.push((centre(all[i]!) - centre(all[i - 1]!)) / ((ems(all[i]!.char) + ems(all[i - 1]!.char)) / 2));
  pitches.sort((a, b) => a - b);
  // a short line's own spacing may include the very gap we look for: trust the card's instead
  const own = pitches.length ? pitches[pitches.length >> 1]! : Infinity;
  const pitch = line.pitch && (all.length < 4 || own > 1.2 * line.pitch) ? line.pitch : own;
  if (!Number.isFinite(pitch)) return d;
  if (!(pitch > 1)) return d;
  const out: DecodedChar[] = [];
  const fill = (a: number, b: number, count: number, ...neighbours: (DecodedChar | undefined)[]) => {
    const skip = new Set(neighbours.map((c) => c?.cls));
    // split the gap's steps into `count` equal parts and take the best character in each
    for (let k = 0; k < count; k++) {
      const s0 = Math.round(a + ((b - a) * k) / count), s1 = Math.round(a + ((b - a) * (k + 1)) / count);
      let best = 0, bp = 0, bt = s0;
      for (let t = Math.max(0, s0); t < Math.min(line.probs.steps, s1); t++) {
        const base = t * line.probs.classes;
        for (let c = 1; c < line.probs.classes - 1; c++) {
          if (skip.has(c)) continue;
          const p = line.probs.probs[base + c]!;
          if (p > bp) { bp = p; best = c; bt = t; }
        }
      }
      // below this the gap is blank paper (or a repeat of a neighbour), not a character
      if (best && bp >= 0.02) out.push({ char: cs.charset[best]!, cls: best, prob: bp, t0: bt, t1: bt });
    }
  };
  // the detector leaves about the same margin before the first character and after the last
  const LEAD = 2;
  const lead0 = all[0]!.t0;
  if (from === 0) {
    // stricter than inside the line: a box starting early on background marks is common
    const n = Math.floor((chars[0]!.t0 - LEAD) / pitch - 0.3);
    if (n >= 1) fill(chars[0]!.t0 - n * pitch, chars[0]!.t0, n, chars[0]);
  }
  chars.forEach((c, i) => {
    if (i > 0) {
      const prev = chars[i - 1]!;
      const expected = (pitch * (ems(prev.char) + ems(c.char))) / 2;
      const n = Math.round((centre(c) - centre(prev) - expected) / pitch);
      if (n >= 1) fill(prev.t1 + 1, c.t0, n, prev, c);
    }
    out.push(c);
  });
  if (to >= line.probs.steps - 1) {
    const last = chars[chars.length - 1]!;
    const tail = line.probs.steps - 1 - last.t1;
    const n = Math.round((tail - lead0) / pitch - 0.2);
    if (n >= 1) fill(last.t1 + 1, line.probs.steps, n, last);
  }
  const withHidden = hiddenCharacters(line, from, to, out, pitch, cs);
  const text = withHidden.map((c) => c.char).join('');
  const confidence = withHidden.length ? withHidden.reduce((s, c) => s + c.prob, 0) / withHidden.length : 0;
  return { text, chars: withHidden, confidence };
}

/** a step whose blank is below this holds ink the model saw */
const HIDDEN_BLANK = 0.6;

/**
 * Characters the model saw but would not name: steps where blank is not the clear winner (a
 * thin 一 at a box's end, 磴 the model hesitates over) standing apart from every character
 * read, at least half an advance from the nearest. Each is put back as the best non-blank
 * class there with that class's (low) probability: the value keeps its length, and its
 * confidence says it is doubtful.
 */
function hiddenCharacters(line: TextLine, from: number, to: number, chars: DecodedChar[], pitch: number, cs: Charset): DecodedChar[] {
  const { probs, classes, steps } = line.probs;
  const centre = (c: DecodedChar) => (c.t0 + c.t1) / 2;
  const found: DecodedChar[] = [];
  // the line's characters outside the span count too: the tail of the label before a value
  const read = [...chars, ...line.text.chars.filter((c) => c.char !== ' ')];
  for (let t = Math.max(0, from); t < Math.min(steps, to); t++) {
    const blank = probs[t * classes]!;
    if (blank >= HIDDEN_BLANK) continue;
    const near = (c: DecodedChar) => Math.abs(centre(c) - t) < 0.5 * pitch || (t >= c.t0 && t <= c.t1);
    if (read.some(near) || found.some(near)) continue;
    // the lowest blank of this run of steps
    let tb = t;
    while (tb + 1 < Math.min(steps, to) && probs[(tb + 1) * classes]! < probs[tb * classes]!) tb++;
    let best = 0, bp = 0;
    for (let c = 1; c < classes - 1; c++) {
      const p = probs[tb * classes + c]!;
      if (p > bp) { bp = p; best = c; }
    }
    // a mark taken for punctuation is a speck (or a label's colon), not a swallowed character;
    // nor is the character beside it again (its ink spreads: 靳靳宁浩, 0166 of seed 67)
    const again = read.some((c) => c.cls === best && Math.abs(centre(c) - tb) < pitch);
    if (best && bp >= 0.1 && !again && !/^[\p{P}\p{S}]$/u.test(cs.charset[best]!)) found.push({ char: cs.charset[best]!, cls: best, prob: bp, t0: tb, t1: tb });
    t = tb;
  }
  if (!found.length) return chars;
  return [...chars, ...found].sort((a, b) => a.t0 - b.t0);
}

/** The typical advance of a full-width character in steps, from the lines with 4+ of them. */
export function cardPitch(lines: TextLine[]): number | undefined {
  const ds: number[] = [];
  for (const l of lines) {
    const cjk = l.text.chars.filter((c) => c.char !== ' ' && ems(c.char) === 1);
    if (cjk.length < 4) continue;
    for (let i = 1; i < cjk.length; i++) ds.push((cjk[i]!.t0 + cjk[i]!.t1 - cjk[i - 1]!.t0 - cjk[i - 1]!.t1) / 2);
  }
  if (ds.length < 3) return undefined;
  ds.sort((a, b) => a - b);
  return ds[ds.length >> 1];
}

/** The spans cut to the part of the row from `u` on (card frame), empty ones dropped. */
export function spansFrom(spans: Span[], u: number): Span[] {
  return spans.flatMap((sp) => {
    const { box, steps } = { box: sp.line.box, steps: Math.max(1, sp.line.probs.steps) };
    const perStep = box.w / steps;
    const first = Math.ceil((u - (box.u - box.w / 2)) / perStep - 0.5);
    const from = Math.max(sp.from, first);
    return from < sp.to ? [{ ...sp, from }] : [];
  });
}

/** a step holds ink when the model gives blank and the spaces together less than this */
const INK = 0.5;

/** a value's characters are set solid: ink further on than this many advances (room for one
 *  character the model saw nothing of) is something else (a speck, the photo's edge) */
const INK_GAP = 2.5;

/**
 * How many characters the spans' ink spreads over: the distance from the first step where the
 * model sees a character to the last of the run that follows it, in advances of the card's
 * pitch, plus one. A character read or not counts the same (a blurred second character the
 * model will not name still widens the value); undefined without ink or without a measured
 * pitch.
 */
export function inkCharacters(spans: Span[], cs: Charset): number | undefined {
  const space = cs.classOf.get('　');
  const ink: number[] = [];
  let pitchU = 0;
  for (const sp of spans) {
    const { probs, classes, steps } = sp.line.probs;
    if (!sp.line.pitch) return undefined;
    const perStep = sp.line.box.w / Math.max(1, steps);
    pitchU = Math.max(pitchU, sp.line.pitch * perStep);
    const left = sp.line.box.u - sp.line.box.w / 2;
    for (let t = sp.from; t < Math.min(sp.to, steps); t++) {
      const base = t * classes;
      const white = probs[base]! + probs[base + classes - 1]! + (space !== undefined ? probs[base + space]! : 0);
      if (white >= INK) continue;
      ink.push(left + (t + 0.5) * perStep);
    }
  }
  if (!ink.length || !(pitchU > 0)) return undefined;
  ink.sort((a, b) => a - b);
  let last = 0;
  while (last + 1 < ink.length && ink[last + 1]! - ink[last]! <= INK_GAP * pitchU) last++;
  return Math.round((ink[last]! - ink[0]!) / pitchU) + 1;
}
