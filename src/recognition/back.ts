// 国徽面: recognised by its titles (中华人民共和国, 居民身份证) and labels (签发机关,
// 有效期限); the authority and the validity follow their labels.
import type { BackFields, ReadField } from './types.ts';
import { decodeSpans, findLabel, groupRows, minProb, readPlace, spansBetween, type Charset, type Reread, type Row, type TextLine } from './lines.ts';
import { allowedSets, emptyField, isDate } from './fields.ts';
import { checkAuthority } from './address-regions.ts';
import type { DecodedChar } from './ocr/ctc.ts';

export const BACK_MARKERS = ['中华人民共和国', '居民身份证', '签发机关', '有效期限'] as const;

export function backMarkers(rows: Row[]): number {
  let n = 0;
  for (const m of BACK_MARKERS) if (rows.some((r) => findLabel(r, m) >= 0)) n++;
  return n;
}

/** `YYYY.MM.DD-YYYY.MM.DD` or `YYYY.MM.DD-长期` from the digits read, or ''. */
export function parseValidity(text: string): string {
  const longTerm = /长期|长|期/.test(text);
  const digits = text.replace(/[^0-9]/g, '');
  const fmt = (s: string) => `${s.slice(0, 4)}.${s.slice(4, 6)}.${s.slice(6, 8)}`;
  const ok = (s: string) => isDate(+s.slice(0, 4), +s.slice(4, 6), +s.slice(6, 8));
  if (digits.length === 16 && ok(digits.slice(0, 8)) && ok(digits.slice(8))) return `${fmt(digits.slice(0, 8))}-${fmt(digits.slice(8))}`;
  if (digits.length === 8 && longTerm && ok(digits)) return `${fmt(digits)}-长期`;
  return '';
}

export async function parseBack(rows: Row[], cs: Charset, reread?: Reread): Promise<BackFields> {
  const fields: BackFields = { authority: emptyField(), validity: emptyField() };
  let authorityRow: Row | undefined;
  for (const row of rows) {
    if (!authorityRow && findLabel(row, '签发机关', 3) >= 0) authorityRow = row;
    const read = readBackRow(row, cs);
    if (read.authority && !fields.authority.value) fields.authority = read.authority;
    if (read.validity && !fields.validity.value) fields.validity = read.validity;
  }
  // neither label read (small, blurred, or missed by the detector): the values still show by
  // their form, a bureau's name and two dates; placed without their labels, they are doubted
  let unlabelled: Row | undefined;
  if (!fields.authority.value) {
    unlabelled = rows.find((r) => BUREAU.test(r.text.replace(/\s+/g, '')));
    const authority = unlabelled && unlabelledAuthority(unlabelled, cs);
    if (authority) fields.authority = { ...authority, confidence: Math.min(authority.confidence, 0.89) };
  }
  if (!fields.validity.value) {
    const validity = rows.filter((r) => r !== unlabelled).map((r) => validityAfter(r, -1, cs)).find((v) => v);
    if (validity) fields.validity = { ...validity, confidence: Math.min(validity.confidence, 0.89) };
  }
  // 有效期限 not found: the detector missed its row (often the last on a photo's edge or in
  // glare); it stands where the card prints it below 签发机关, which is read once
  const above = authorityRow ?? unlabelled;
  if (!fields.validity.value && above && reread) {
    const row = await rowBelow(rows, above, reread);
    const validity = row && (readBackRow(row, cs).validity ?? validityAfter(row, -1, cs));
    if (validity) fields.validity = { ...validity, confidence: Math.min(validity.confidence, 0.89) };
  }
  return fields;
}

/** what every issuing authority's name ends in */
const BUREAU = /公安局|分局/;

/** The bureau's name a row holds without its label: from the row's start (a colon dropped;
 *  what is left of the label checkedAuthority drops where a bureau of the list follows, so
 *  that 关岭…县 keeps its 关) to the last 局. */
function unlabelledAuthority(row: Row, cs: Charset): ReadField | undefined {
  const chars = charsAfter(row, -1, cs);
  while (chars.length && /^[：:;；,，、.。·]$/.test(chars[0]!.char)) chars.shift();
  const end = chars.map((c) => c.char).lastIndexOf('局');
  if (end < 3) return undefined;
  return checkedAuthority(chars.slice(0, end + 1), cs);
}


/** a decoded character and the line whose probabilities it came from */
type LineChar = DecodedChar & { line: TextLine };

/**
 * The model's probability for a rival character over the steps of a character read: at or
 * past this, the rival was seen there (盂 read 孟 at 0.92 with 盂 beside it), not just possible.
 */
const RIVAL_SEEN = 0.01;

function rivalProb(c: LineChar, rival: string, cs: Charset): number {
  const cls = cs.classOf.get(rival);
  if (cls === undefined) return 0;
  const { probs, classes, steps } = c.line.probs;
  let best = 0;
  for (let t = Math.max(0, c.t0); t <= Math.min(steps - 1, c.t1); t++) best = Math.max(best, probs[t * classes + cls]!);
  return best;
}

/** 签发机关 and 有效期限 are printed 41.8 and 48.3 mm from the card's top, their values 3.2 mm high. */
const LABEL_GAP_MM = 6.5, VALUE_MM = 3.2, LABEL_LEFT_MM = 15.5, RIGHT_MM = 78.5;
/** a detected line's box is about 1.2 times its text's height */
const BOX_PER_TEXT = 1.2;

/** The row the card prints below `above`, read as one line from its labels' column on. */
async function rowBelow(rows: Row[], above: Row, reread: Reread): Promise<Row | undefined> {
  const ref = above.lines.reduce((a, l) => (l.box.h > a.box.h ? l : a));
  const perMm = titleScale(rows) ?? above.h / (VALUE_MM * BOX_PER_TEXT);
  const left = Math.min(...above.lines.map((l) => l.box.u - l.box.w / 2));
  const again = await readPlace(ref, left, left + (RIGHT_MM - LABEL_LEFT_MM) * perMm, LABEL_GAP_MM * perMm, reread);
  return again ? groupRows([again])[0] : undefined;
}

/** px per mm from the two titles' rows (centres 10.9 and 22.5 mm from the card's top), if read. */
function titleScale(rows: Row[]): number | undefined {
  const a = rows.find((r) => findLabel(r, '中华人民共和国') >= 0);
  const b = rows.find((r) => findLabel(r, '居民身份证') >= 0);
  if (!a || !b || !(b.v > a.v)) return undefined;
  return (b.v - a.v) / 11.6;
}

function readBackRow(row: Row, cs: Charset): { authority?: ReadField; validity?: ReadField } {
  const out: { authority?: ReadField; validity?: ReadField } = {};
  const a = findLabel(row, '签发机关', 3);
  if (a >= 0) {
    // no authority starts with punctuation: a colon after the label, a speck
    const chars = charsAfter(row, a, cs);
    while (chars.length && /^[：:;；,，、.。·]$/.test(chars[0]!.char)) chars.shift();
    if (chars.length) out.authority = checkedAuthority(chars, cs);
  }
  const v = findLabel(row, '有效期限', 3);
  const validity = v >= 0 ? validityAfter(row, v, cs) : undefined;
  if (validity) out.validity = validity;
  return out;
}

/** The row's characters after character `from` (-1: all), white space left out, each with the
 *  line it was read from (for the probabilities of its rivals). */
function charsAfter(row: Row, from: number, cs: Charset): LineChar[] {
  return spansBetween(row, from).flatMap((sp) => decodeSpans([sp], cs).chars.map((c) => ({ ...c, line: sp.line })))
    .filter((c) => !/^\s*$/u.test(c.char));
}

/** Two dates (or a date and 长期) the row holds after character `from` (-1: all of it). */
function validityAfter(row: Row, from: number, cs: Charset): ReadField | undefined {
  const d = decodeSpans(spansBetween(row, from), cs, allowedSets(cs).validity, 0.05);
  const value = parseValidity(d.text);
  return value ? { value, confidence: minProb(d) } : undefined;
}

/** the label before the issuing authority */
const AUTHORITY_LABEL = '签发机关';

/**
 * The authority as read, checked against the names the region list gives: one it holds keeps
 * the model's confidence, unless the model also saw there the character of another name it holds
 * one character away (盂县 and 孟县), then doubted; a name one place-name character away from exactly one it holds is
 * that one (the model reads 颍 as 颖, 眙 as 胎), doubted; one it does not hold at all is
 * doubted too (never more than 0.89), since the list may lack a new or renamed bureau.
 */
function checkedAuthority(chars: LineChar[], cs: Charset): ReadField {
  const value = chars.map((c) => c.char).join('');
  const confidence = Math.min(...chars.map((c) => c.prob));
  const check = checkAuthority(value);
  if (check.known) {
    // another bureau of the list one character away (孟县 for 盂县) that the model also saw in
    // that character's place: the name is not sure
    const contested = check.rivals.some(({ at, chars: rival }) => rival.some((r) => rivalProb(chars[at]!, r, cs) >= RIVAL_SEEN));
    return { value, confidence: contested ? Math.min(confidence, 0.89) : confidence };
  }
  // the label, or what is left of it, before a bureau of the list: its last character guessed
  // from its ink at the value box's start (关岳阳市…), or all four misread (销找机类百色市…,
  // 0151 of seed 89) — each a character of 签发机关 or one the model was unsure of
  for (let k = 1; k <= [...AUTHORITY_LABEL].length && k < chars.length; k++) {
    const c = chars[k - 1]!;
    if (!(AUTHORITY_LABEL.includes(c.char) || c.prob < 0.5)) break;
    // (the whole read is no bureau: a 关 of 关岭…县公安局 stays, the check above returned it)
    const rest = chars.slice(k);
    const name = rest.map((x) => x.char).join('');
    if (checkAuthority(name).known) return { value: name, confidence: Math.min(...rest.map((x) => x.prob)) };
  }
  if (check.nearest) return { value: check.nearest, confidence: Math.min(0.8, ...chars.filter((c, i) => c.char === [...check.nearest!][i]).map((c) => c.prob)) };
  return { value, confidence: Math.min(confidence, 0.89) };
}
