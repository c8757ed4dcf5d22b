// A name starts with a surname, and a few hundred surnames cover nearly everyone: where the
// model is unsure of a name's first character and reads something no one is called (苟 as 荷,
// 窦 as 奥, 佟 as 终), the surname it also saw there is the likelier read. A surname of the
// ranking read as such is kept: which of two real surnames a card holds is the card's to say —
// unless the model is known to read the other as this one and left it the share it leaves only
// on that one's ink (佘 read 余; surname-look-alikes.json).
import type { ReadField } from './types.ts';
import { decodeSpans, type Charset, type Span } from './lines.ts';
import { classProbAt, type DecodedChar } from './ocr/ctc.ts';
import { knownSurnames, surnameShare } from '../idcard/index.ts';
import lookAlikeTable from './surname-look-alikes.json' with { type: 'json' };

/** a first character read at least this sure is kept whatever it is */
const SURE = 0.9;
/**
 * How much the surname's commonness counts against the model's own probabilities: a quarter of
 * its log, as for the nation. Between the commonest surname and one no one holds that is at
 * most 3.4 nats, so a read the model gives 30 times the probability of every surname stands.
 */
const PRIOR_WEIGHT = 0.25;
/** a read surname at least this common is kept (every surname of the ranking is) */
const COMMON_ENOUGH = 1e-5;
/** a first character read below this is a mark, not a surname, where a compound one follows */
const FAINT = 0.5;
/** a field whose first character the prior chose is never more sure than this */
const CHOSEN_BY_PRIOR = 0.89;

/**
 * The name with its first character replaced by the surname that best combines the model's
 * probability at that character's steps with how common it is, where that is not what was
 * read; otherwise the field as it is. Two-character surnames count where the read's second
 * character is theirs (幕容 → 慕容).
 */
export function preferSurname(field: ReadField, spans: Span[], cs: Charset): ReadField {
  const chars = [...field.value];
  if (chars.length < 2) return field;
  // the first character the spans read that is the name's (a label's 名 or a speck may precede it)
  const first = decodeSpans(spans, cs).chars.find((c) => c.char === chars[0]);
  if (!first) return field;
  // a faint mark read before a compound surname (容, the label's ink, before 皇甫玥; 0117 of seed
  // 23): no name holds a character before 皇甫
  if (chars.length >= 3 && first.prob < FAINT && compoundSurnames().has(chars[1]! + chars[2]!)) {
    return { value: chars.slice(1).join(''), confidence: Math.min(field.confidence, CHOSEN_BY_PRIOR) };
  }
  const other = surnameReadAsThis(first, cs);
  if (other) return { value: other + chars.slice(1).join(''), confidence: Math.min(field.confidence, CHOSEN_BY_PRIOR) };
  if (first.prob >= SURE) return field;
  // a surname people hold stays: the prior tells a misread from a surname, not which of two
  // surnames a card holds (佘 is rarer than 余, yet 佘 is what a card of a 佘 shows)
  if (shareStartingWith(chars[0]!, chars[1]!) > COMMON_ENOUGH) return field;
  const score = (ch: string, p: number) => Math.log(Math.max(p, 1e-6)) + PRIOR_WEIGHT * Math.log(shareStartingWith(ch, chars[1]!));
  let best = chars[0]!;
  let bestScore = score(best, first.prob);
  for (const ch of surnameStarts()) {
    const cls = cs.classOf.get(ch);
    if (cls === undefined || ch === chars[0]) continue;
    const s = score(ch, classProbAt(first, cls));
    if (s > bestScore) { best = ch; bestScore = s; }
  }
  if (best === chars[0]) return field;
  return { value: best + chars.slice(1).join(''), confidence: Math.min(field.confidence, CHOSEN_BY_PRIOR) };
}

const LOOK_ALIKES = (lookAlikeTable as unknown as { lookAlikes: Record<string, [string, number][]> }).lookAlikes;

/**
 * The surname the model reads as `read`'s character and names beside it with at least the
 * share of the read's probability that only that surname's ink gets (佘 read 余 with 佘 at 0.27;
 * a 余 leaves 佘 0.001), measured on renders by tools/build-stand-ins/surnames.ts; of two, the
 * one furthest past its threshold. However sure the read: the model is sure of 余 on a 佘.
 */
function surnameReadAsThis(read: DecodedChar, cs: Charset): string | undefined {
  const own = classProbAt(read, read.cls);
  if (!(own > 0)) return undefined;
  let best: string | undefined, bestMargin = 1;
  for (const [surname, minRatio] of LOOK_ALIKES[read.char] ?? []) {
    const cls = cs.classOf.get(surname);
    if (cls === undefined) continue;
    const margin = classProbAt(read, cls) / own / minRatio;
    if (margin >= bestMargin) { best = surname; bestMargin = margin; }
  }
  return best;
}

/** the share of a name starting with `ch` then `next`: a compound surname's where it is one
 *  (an unlisted pair gets the floor, never more than `ch` alone) */
function shareStartingWith(ch: string, next: string): number {
  return Math.max(surnameShare(ch), surnameShare(ch + next));
}

let compounds: Set<string> | undefined;
/** the two-character surnames of the ranking */
function compoundSurnames(): Set<string> {
  return (compounds ??= new Set(knownSurnames().filter((s) => [...s].length === 2)));
}

let starts: string[] | undefined;
/** every character a surname starts with */
function surnameStarts(): string[] {
  return (starts ??= [...new Set(knownSurnames().map((s) => [...s][0]!))]);
}
