// After its county, an address names a town, township or subdistrict (…县黄土镇, …区凤凰街道),
// and the country's 27,000 town names are a closed list. Where the model was unsure of a
// character of that name and read one that no town has (黄士 for 黄土, 凤层 for 凤凰), the town
// name the model also saw there is the read: only doubtful characters change, and only to
// characters the model itself gives a fair share of probability at their place.
import { classProbAt, type DecodedChar } from './ocr/ctc.ts';
import type { Charset } from './lines.ts';
import townTable from './town-names.json' with { type: 'json' };

/** a character read at least this sure is never changed */
const DOUBTFUL = 0.9;
/**
 * A replacement must have at least this share of the read character's probability. Reads the
 * list corrected rightly gave it half or more (黄士 for 黄土: 0.38 against 0.61); a town the list
 * does not hold, read right (石硚 at 0.70), can give its look-alike in the list a sixth (桥 0.12).
 */
const MIN_EVIDENCE = 1 / 3;
/** town names are 2 to 5 characters before their suffix, nearly all */
const MIN_BASE = 2, MAX_BASE = 5;

let byLength: Map<number, string[][]> | undefined;
let known: Set<string> | undefined;

function towns(): { byLength: Map<number, string[][]>; known: Set<string> } {
  if (!byLength || !known) {
    const names = (townTable as { names: string }).names.split(',');
    known = new Set(names);
    byLength = new Map();
    for (const name of names) {
      const chars = [...name];
      let list = byLength.get(chars.length);
      if (!list) byLength.set(chars.length, (list = []));
      list.push(chars);
    }
  }
  return { byLength, known };
}

/** Whether `name` (without 镇/乡/街道) is a town the list holds. */
export function isKnownTown(name: string): boolean {
  return towns().known.has(name);
}

export interface TownCorrection {
  /** index in the read characters of the town name's first character */
  at: number;
  /** the town name as read, and as corrected (with its suffix where that was what changed) */
  read: string;
  town: string;
}

/**
 * The town name after the region (`from`: the index of the first read character after the
 * county) corrected by the list, or undefined where the read name is a town already, no
 * suffix (镇 乡 街道) follows within a town name's length, or no town is near enough. Of several
 * near towns the one whose changed characters the model gives the most probability wins;
 * equal evidence for two different towns is no evidence (undefined).
 */
export function correctTown(read: DecodedChar[], from: number, cs: Charset): TownCorrection | undefined {
  const end = suffixAt(read, from);
  if (end < 0) return misreadSuffix(read, from, cs);
  const base = read.slice(from, end);
  const name = base.map((c) => c.char).join('');
  const { byLength, known } = towns();
  if (known.has(name)) return undefined;
  const doubtful = base.map((c) => c.prob < DOUBTFUL);
  if (!doubtful.some(Boolean)) return undefined;
  const maxChanges = base.length <= 2 ? 1 : 2;
  let best: string | undefined;
  let bestGain = -Infinity;
  let tied = false;
  for (const town of byLength.get(base.length) ?? []) {
    let changes = 0, gain = 0;
    for (let i = 0; i < town.length && changes <= maxChanges; i++) {
      if (town[i] === base[i]!.char) continue;
      const cls = cs.classOf.get(town[i]!);
      if (!doubtful[i] || cls === undefined) { changes = Infinity; break; }
      const p = classProbAt(base[i]!, cls);
      if (p < base[i]!.prob * MIN_EVIDENCE) { changes = Infinity; break; }
      changes++;
      gain += Math.log(p / base[i]!.prob);
    }
    if (changes === 0 || changes > maxChanges) continue;
    if (gain > bestGain + 1e-6) { best = town.join(''); bestGain = gain; tied = false; }
    else if (Math.abs(gain - bestGain) <= 1e-6) tied = true;
  }
  if (!best || tied) return undefined;
  return { at: from, read: name, town: best };
}

/**
 * A town the list holds, followed by a doubtful character that is no suffix but where the model
 * also saw 镇 or 乡 (高桥单前进村: 镇 read as 单): that suffix. The shortest such town first.
 */
function misreadSuffix(read: DecodedChar[], from: number, cs: Charset): TownCorrection | undefined {
  const { known } = towns();
  for (let k = from + MIN_BASE; k <= Math.min(read.length - 1, from + MAX_BASE); k++) {
    const c = read[k]!;
    if (c.prob >= DOUBTFUL) continue;
    const base = read.slice(from, k).map((r) => r.char).join('');
    if (!known.has(base)) continue;
    let best: string | undefined;
    let bestProb = c.prob * MIN_EVIDENCE;
    for (const suffix of SUFFIXES) {
      const cls = cs.classOf.get(suffix);
      const p = cls === undefined ? 0 : classProbAt(c, cls);
      if (p >= bestProb) { best = suffix; bestProb = p; }
    }
    if (best) return { at: from, read: base + c.char, town: base + best };
  }
  return undefined;
}

/** the single characters that end a town's name in an address (街 of 街道) */
const SUFFIXES = ['镇', '乡', '街'];

/** The index of the suffix (镇, 乡, 街道) that ends the town name starting at `from`, or -1. */
function suffixAt(read: DecodedChar[], from: number): number {
  for (let k = from + MIN_BASE; k <= Math.min(read.length - 1, from + MAX_BASE); k++) {
    const ch = read[k]!.char;
    if (ch === '镇' || ch === '乡' || (ch === '街' && read[k + 1]?.char === '道')) return k;
  }
  return -1;
}
