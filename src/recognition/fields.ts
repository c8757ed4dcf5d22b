// Field rules shared by the two sides: constrained character sets, dates, the ID number chosen
// among the recogniser's candidate reads by its check digit and the printed birthday.
import { checkDigitOf, NATIONS } from '../idcard/index.ts';
import type { Decoded, DecodedChar } from './ocr/ctc.ts';
import { classesOf, ctcLogLikelihood, greedyDecode, WILDCARD } from './ocr/ctc.ts';
import type { Charset, Span } from './lines.ts';
import type { ReadField } from './types.ts';

export interface Allowed {
  idNumber: number[];
  sex: number[];
  date: number[];
  nation: number[];
  validity: number[];
}

export function allowedSets(cs: Charset): Allowed {
  return {
    idNumber: classesOf(cs.classOf, '0123456789X'),
    sex: classesOf(cs.classOf, '男女'),
    date: classesOf(cs.classOf, '0123456789年月日'),
    nation: classesOf(cs.classOf, NATIONS.join('')),
    validity: classesOf(cs.classOf, '0123456789.-长期'),
  };
}

const EMPTY: ReadField = { value: '', confidence: 0 };
export const emptyField = (): ReadField => ({ ...EMPTY });

/** `YYYYMMDD` from a 出生 read like 1990年1月2日, or '' when it does not parse to a date. */
export function parseBirthday(text: string): string {
  const m = /(\d{4})年?(\d{1,2})月?(\d{1,2})日?/.exec(text.replace(/[^0-9年月日]/g, ''));
  if (!m) return '';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isDate(y, mo, d)) return '';
  return `${m[1]}${String(mo).padStart(2, '0')}${String(d).padStart(2, '0')}`;
}

export function isDate(y: number, m: number, d: number): boolean {
  if (y < 1850 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** 18 characters (X upper case) whose check digit holds and whose birth date is a date. */
export function validId(s: string): boolean {
  return /^\d{17}[\dX]$/.test(s) && checkDigitOf(s.slice(0, 17)) === s[17] && isDate(+s.slice(6, 10), +s.slice(10, 12), +s.slice(12, 14));
}

/**
 * Choose the ID number among the recogniser's candidate reads: the top read, else the
 * candidates that differ in one or two characters by runner-up reads the model itself gave,
 * keeping those that pass the check digit (and agree with the printed birthday, when read).
 * Never invents a character the model did not offer.
 */
export function chooseIdNumber(read: Decoded, birthday: string): ReadField {
  const chars = read.chars;
  const top = chars.map((c) => c.char).join('');
  const conf = (cs: { prob: number }[]) => (cs.length ? Math.min(...cs.map((c) => c.prob)) : 0);
  if (chars.length !== 18) return { value: top, confidence: Math.min(0.3, conf(chars)) };
  if (validId(top) && (!birthday || top.slice(6, 14) === birthday)) return { value: top, confidence: conf(chars) };
  type Cand = { value: string; score: number; probs: { prob: number }[] };
  const cands: Cand[] = [];
  const options = chars.map((c: DecodedChar) => [{ char: c.char, prob: c.prob }, ...(c.alternatives ?? []).filter((a) => a.prob >= 0.01)]);
  const base = chars.map((c) => c.char);
  const consider = (value: string[], probs: { prob: number }[]) => {
    const s = value.join('');
    if (!validId(s)) return;
    const agrees = !birthday || s.slice(6, 14) === birthday;
    cands.push({ value: s, score: probs.reduce((a, p) => a + Math.log(p.prob), 0) + (agrees ? 0 : -5), probs });
  };
  const baseProbs = options.map((o) => o[0]!);
  for (let i = 0; i < 18; i++) {
    for (const a of options[i]!.slice(1)) {
      const v = [...base]; v[i] = a.char;
      const p = [...baseProbs]; p[i] = a;
      consider(v, p);
      for (let j = i + 1; j < 18; j++) {
        for (const b of options[j]!.slice(1)) {
          const v2 = [...v]; v2[j] = b.char;
          const p2 = [...p]; p2[j] = b;
          consider(v2, p2);
        }
      }
    }
  }
  if (validId(top)) cands.push({ value: top, score: baseProbs.reduce((a, p) => a + Math.log(p.prob), 0) - 5, probs: baseProbs });
  cands.sort((a, b) => b.score - a.score);
  const best = cands[0];
  if (!best) return { value: top, confidence: Math.min(0.3, conf(chars)) };
  // a choice the model itself was unsure of is reported as such
  return { value: best.value, confidence: Math.min(conf(best.probs), best.value === top ? 1 : 0.9) };
}

/**
 * What the recogniser reads for the characters of the closed lists outside its dictionary:
 * 仫 of 仫佬 comes out as 么 (on every 仫佬 card of the bench set, 0.54–0.84), never as 仡,
 * so 么佬 is 仫佬 while 亿佬 stays 仡佬. A character with a known stand-in is scored by that
 * stand-in alone: the wildcard would let any misread of 仡 pass as 仫, and the model reads
 * 仡 itself almost never (亿, 佗, 佤, 信 at 0.05–0.45 with 仡 below 0.001 on the bench set's
 * 仡佬 cards), so a wildcard at any penalty outscores it.
 */
const STAND_IN: Record<string, string> = { 仫: '么' };
/** a stand-in read counts for a little less than the character itself would */
const STAND_IN_WEIGHT = 0.5;
/**
 * A look-alike read (nation-look-alikes.json: 傈僳 read 保, 畲 read 窗) counts for a twentieth of
 * the value's own: enough where the model gives the value's characters nothing at all, far too
 * little against any read of them.
 */
const LOOK_ALIKE_WEIGHT = 0.05;

/**
 * Choose among a closed list of values (the 56 nations, 男/女) by their CTC likelihood over
 * the value's spans; the confidence is the chosen value's posterior among the list. Characters
 * the model cannot produce (仫 of 仫佬) match any character, at a penalty.
 */
/**
 * The value of a closed list the spans most likely show, by CTC likelihood plus `logPrior`
 * (how likely each value is before reading, in nats; none by default).
 */
export function chooseFromList(
  spans: Span[],
  cs: Charset,
  values: readonly string[],
  logPrior: (value: string) => number = () => 0,
  /** what the model reads in place of a value when it is small and soft (傈僳 as 保) */
  lookAlikes: Readonly<Record<string, readonly string[]>> = {},
): ReadField {
  if (!spans.length) return emptyField();
  const alphabet = classesOf(cs.classOf, values.join(''));
  const score = (sp: Span, label: number[]) => ctcLogLikelihood(sp.line.probs, label, sp.from, sp.to, 0.001, alphabet);
  const scoreLabel = (label: number[]) => {
    if (spans.length === 1) return score(spans[0]!, label);
    // the value may stand in any of the boxes, or be split over several: the best split of
    // its characters over the spans in order, each span holding a (possibly empty) piece
    let best = Array.from({ length: label.length + 1 }, (_, k) => score(spans[0]!, label.slice(0, k)));
    for (const sp of spans.slice(1)) {
      const next = new Array<number>(label.length + 1).fill(-Infinity);
      for (let j = 0; j <= label.length; j++) {
        if (best[j] === -Infinity) continue;
        for (let k = j; k <= label.length; k++) next[k] = Math.max(next[k]!, best[j]! + score(sp, label.slice(j, k)));
      }
      best = next;
    }
    return best[label.length]!;
  };
  const scores = values.map((v) => {
    // a character the model cannot produce is read as its usual stand-in where it has one,
    // else as anything (the wildcard)
    const chars = [...v];
    const label = chars.map((ch) => cs.classOf.get(ch) ?? cs.classOf.get(STAND_IN[ch] ?? '') ?? WILDCARD);
    const standIns = chars.filter((ch, i) => !cs.classOf.has(ch) && label[i] !== WILDCARD).length;
    let score = scoreLabel(label) + standIns * Math.log(STAND_IN_WEIGHT);
    // the value's look-alike read counts too, for much less than the value itself
    for (const alike of lookAlikes[v] ?? []) {
      const alt = [...alike].map((ch) => cs.classOf.get(ch));
      if (alt.every((c) => c !== undefined)) score = Math.max(score, scoreLabel(alt as number[]) + Math.log(LOOK_ALIKE_WEIGHT));
    }
    return score + logPrior(v);
  });
  let best = 0;
  scores.forEach((s, i) => { if (s > scores[best]!) best = i; });
  if (!Number.isFinite(scores[best]!)) return emptyField();
  const z = scores.reduce((acc, s) => acc + Math.exp(s - scores[best]!), 0);
  const value = values[best]!;
  return { value, confidence: Math.min(1 / z, othersRead(spans, cs, value, scoreLabel), seenAtAll(spans, cs, value)) };
}

/** a character of the value chosen that the model gives less than this at every step was not seen */
const UNSEEN = 0.02;

/**
 * The doubt a list's choice carries where the model saw none of its characters: the list's
 * posterior only compares its values with each other, so a value whose ink went unread (a
 * blurred 傈僳 the detector boxed as nearly blank paper) still comes out as the least unlikely
 * of the 56, with confidence. Each character the model can produce must have been offered
 * somewhere in the spans, at some probability; a stand-in's or a wildcard's is not asked for.
 */
function seenAtAll(spans: Span[], cs: Charset, value: string): number {
  let seen = 1;
  for (const ch of new Set(value)) {
    const cls = cs.classOf.get(ch);
    if (cls === undefined) continue;
    let peak = 0;
    for (const { line, from, to } of spans) {
      const { probs, classes, steps } = line.probs;
      for (let t = Math.max(0, from); t < Math.min(steps, to); t++) peak = Math.max(peak, probs[t * classes + cls]!);
    }
    seen = Math.min(seen, peak);
  }
  return seen < UNSEEN ? 0.5 : 1;
}

/** characters of the front's labels around a listed value: their ink may fall in its spans */
const LABEL_CHARS = new Set([...'性别民族']);
/** how much likelier than the value chosen the model's own read must be to put it in doubt */
const OTHER_READ_RATIO = 10;

/**
 * The doubt a list's choice carries where the model reads another character there: the list
 * only compares its own values, so a blurred 畲 the model takes for 窗 could still come out
 * as a certain 苗. When the free read holds a character the value lacks (not label ink) and is
 * far likelier than the value, the choice is no more than a guess.
 */
function othersRead(spans: Span[], cs: Charset, value: string, scoreLabel: (label: number[]) => number): number {
  const chars = [...value];
  if (chars.some((ch) => !cs.classOf.has(ch))) return 1;
  const reads = spans.map((sp) => greedyDecode(sp.line.probs, cs.charset, sp.from, sp.to).chars);
  const foreign = reads.flat().filter((c) => /\p{Script=Han}/u.test(c.char) && !chars.includes(c.char) && !LABEL_CHARS.has(c.char));
  if (!foreign.length) return 1;
  const freeLL = spans.reduce((acc, sp, i) => acc + ctcLogLikelihood(sp.line.probs, reads[i]!.map((c) => c.cls), sp.from, sp.to), 0);
  const valueLL = scoreLabel(chars.map((ch) => cs.classOf.get(ch)!));
  return freeLL - valueLL > Math.log(OTHER_READ_RATIO) ? 0.5 : 1;
}
