// What follows a number in an address is a unit (…村3组, 路260号, 3栋4单元3103室), or a
// separator: a character the model was unsure of right after a number, that is no unit, was
// misread (室 as 全, 0249 of seed 11). It becomes the unit the model also saw there.
import { classProbAt, type DecodedChar } from './ocr/ctc.ts';
import type { Charset } from './lines.ts';

/** the characters an address writes right after a number (单 of 单元) */
const UNITS = [...'号组栋幢单室楼层弄巷排户队座期区门院社里村街路之附'];
const DOUBTFUL = 0.9;
/** a unit must have at least this share of the read character's probability */
const MIN_EVIDENCE = 1 / 30;

/**
 * The read characters with each doubtful non-unit after a digit replaced by the unit the model
 * gives the most probability at its place (if it gives one a fair share), and how many changed.
 */
export function correctUnits(read: DecodedChar[], cs: Charset): { chars: string[]; changed: number } {
  const chars = read.map((c) => c.char);
  let changed = 0;
  for (let i = 1; i < read.length; i++) {
    const c = read[i]!;
    if (!/^[0-9]$/.test(chars[i - 1]!) || c.prob >= DOUBTFUL || !/^\p{Script=Han}$/u.test(c.char) || UNITS.includes(c.char)) continue;
    let best: string | undefined;
    let bestProb = c.prob * MIN_EVIDENCE;
    for (const unit of UNITS) {
      const cls = cs.classOf.get(unit);
      if (cls === undefined) continue;
      const p = classProbAt(c, cls);
      if (p >= bestProb) { best = unit; bestProb = p; }
    }
    if (best) { chars[i] = best; changed++; }
  }
  return { chars, changed };
}
