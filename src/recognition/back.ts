// 国徽面: recognised by its titles (中华人民共和国, 居民身份证) and labels (签发机关,
// 有效期限); the authority and the validity follow their labels.
import type { BackFields } from './types.ts';
import { decodeSpans, findLabel, minProb, spansBetween, type Charset, type Row } from './lines.ts';
import { allowedSets, emptyField, isDate } from './fields.ts';

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

export function parseBack(rows: Row[], cs: Charset): BackFields {
  const allowed = allowedSets(cs);
  const fields: BackFields = { authority: emptyField(), validity: emptyField() };
  for (const row of rows) {
    const a = findLabel(row, '签发机关', 3);
    if (a >= 0 && !fields.authority.value) {
      const d = decodeSpans(spansBetween(row, a), cs);
      // no authority starts with punctuation: a colon after the label, a speck
      const value = d.text.replace(/\s+/g, '').replace(/^[：:;；,，、.。·]+/, '');
      if (value) fields.authority = { value, confidence: minProb(d) };
    }
    const v = findLabel(row, '有效期限', 3);
    if (v >= 0 && !fields.validity.value) {
      const d = decodeSpans(spansBetween(row, v), cs, allowed.validity, 0.05);
      const value = parseValidity(d.text);
      if (value) fields.validity = { value, confidence: minProb(d) };
    }
  }
  return fields;
}
