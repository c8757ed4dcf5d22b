// CTC decoding of the recogniser's per-step class probabilities: greedy, and constrained to a
// character subset (digits for the number, 男/女, ...), keeping runner-up characters so the
// field rules can choose between candidate reads.

/** The recogniser's output for one line: `steps` x `classes` probabilities (row-major). */
export interface LineProbs {
  probs: Float32Array;
  steps: number;
  classes: number;
}

export interface DecodedChar {
  char: string;
  /** class index */
  cls: number;
  /** the best probability of this character over its steps */
  prob: number;
  /** first and last step (inclusive) */
  t0: number;
  t1: number;
  /** runner-up characters with their probabilities, best first (constrained decode only) */
  alternatives?: { char: string; prob: number }[];
  /** the line it was read from (free decodes of spans): what else the model saw there */
  source?: LineProbs;
}

/** The probability the model gives class `cls` at a decoded character's steps (their best),
 *  a step either side included; 0 when the character carries no source. */
export function classProbAt(c: DecodedChar, cls: number): number {
  const l = c.source;
  if (!l) return 0;
  let best = 0;
  for (let t = Math.max(0, c.t0 - 1); t <= Math.min(l.steps - 1, c.t1 + 1); t++) best = Math.max(best, l.probs[t * l.classes + cls]!);
  return best;
}

export interface Decoded {
  text: string;
  chars: DecodedChar[];
  /** mean character probability (0 when empty) */
  confidence: number;
}

/**
 * Each step's best class and its probability, computed once per line: the parsers decode the
 * same line many times (whole, per span, per candidate cut), and the scan over ~6,600 classes
 * is what costs.
 */
const bestOfSteps = new WeakMap<Float32Array, { cls: Int32Array; prob: Float32Array }>();

function stepMaxima(l: LineProbs): { cls: Int32Array; prob: Float32Array } {
  let m = bestOfSteps.get(l.probs);
  if (m && m.cls.length >= l.steps) return m;
  const cls = new Int32Array(l.steps), prob = new Float32Array(l.steps);
  const { probs, classes } = l;
  for (let t = 0; t < l.steps; t++) {
    const base = t * classes;
    let best = 0, bp = -1;
    for (let c = 0; c < classes; c++) {
      const p = probs[base + c]!;
      if (p > bp) { bp = p; best = c; }
    }
    cls[t] = best;
    prob[t] = bp;
  }
  m = { cls, prob };
  bestOfSteps.set(l.probs, m);
  return m;
}

/** Greedy CTC: per-step argmax, repeats collapsed, blanks (class 0) dropped. */
export function greedyDecode(l: LineProbs, charset: string[], from = 0, to = l.steps): Decoded {
  const chars: DecodedChar[] = [];
  const best = stepMaxima(l);
  let prev = 0;
  for (let t = from; t < to; t++) {
    const c = best.cls[t]!, p = best.prob[t]!;
    if (c !== 0 && c === prev) {
      const last = chars[chars.length - 1]!;
      last.t1 = t;
      if (p > last.prob) last.prob = p;
    } else if (c !== 0) {
      chars.push({ char: charset[c]!, cls: c, prob: p, t0: t, t1: t });
    }
    prev = c;
  }
  return finish(chars);
}

/**
 * Constrained CTC: where the free decode emits a character (not blank), emit instead the best
 * class of `allowed` over that character's steps. Characters whose best allowed class has
 * probability below `minProb` (e.g. separators like 年, or stray marks) are dropped.
 */
export function constrainedDecode(l: LineProbs, charset: string[], allowed: readonly number[], from = 0, to = l.steps, minProb = 0): Decoded {
  const free = greedyDecode(l, charset, from, to);
  const chars: DecodedChar[] = [];
  for (const fc of free.chars) {
    if (fc.char === ' ') continue;
    const scores = allowed.map((cls) => {
      let best = 0;
      for (let t = fc.t0; t <= fc.t1; t++) {
        const p = l.probs[t * l.classes + cls]!;
        if (p > best) best = p;
      }
      return { cls, prob: best };
    });
    scores.sort((a, b) => b.prob - a.prob);
    const top = scores[0];
    if (!top || top.prob < minProb) continue;
    chars.push({
      char: charset[top.cls]!,
      cls: top.cls,
      prob: top.prob,
      t0: fc.t0,
      t1: fc.t1,
      alternatives: scores.slice(1, 4).filter((s) => s.prob > 1e-4).map((s) => ({ char: charset[s.cls]!, prob: s.prob })),
    });
  }
  return finish(chars);
}

function finish(chars: DecodedChar[]): Decoded {
  const text = chars.map((c) => c.char).join('');
  const confidence = chars.length ? chars.reduce((s, c) => s + c.prob, 0) / chars.length : 0;
  return { text, chars, confidence };
}

export function classesOf(classOf: Map<string, number>, chars: string): number[] {
  const out: number[] = [];
  for (const ch of chars) {
    const c = classOf.get(ch);
    if (c !== undefined && !out.includes(c)) out.push(c);
  }
  return out;
}

/** a label position that matches any non-blank class (a character the model cannot produce) */
export const WILDCARD = -1;

/**
 * log P(label | steps [from, to)) under CTC: the forward algorithm over the blank-interleaved
 * label. WILDCARD positions take the probability that the step holds some character other
 * than blank (and other than `wildcardExcludes`), times `wildcardPenalty`.
 */
export function ctcLogLikelihood(
  l: LineProbs,
  label: readonly number[],
  from = 0,
  to = l.steps,
  wildcardPenalty = 0.05,
  /** classes a wildcard must not stand for (the characters of the other candidates) */
  wildcardExcludes: readonly number[] = [],
): number {
  const S = 2 * label.length + 1;
  let alpha = new Float64Array(S);
  let next = new Float64Array(S);
  let logScale = 0;
  const stateProb = (t: number, s: number): number => {
    const base = t * l.classes;
    if (s % 2 === 0) return l.probs[base]!;
    const cls = label[(s - 1) >> 1]!;
    if (cls === WILDCARD) {
      // the last class is the space: not a character either
      let p = 1 - l.probs[base]! - l.probs[base + l.classes - 1]!;
      for (const c of wildcardExcludes) p -= l.probs[base + c]!;
      return Math.max(0, p) * wildcardPenalty;
    }
    return l.probs[base + cls]!;
  };
  if (to <= from) return label.length ? -Infinity : 0;
  alpha[0] = stateProb(from, 0);
  if (S > 1) alpha[1] = stateProb(from, 1);
  for (let t = from + 1; t < to; t++) {
    for (let s = 0; s < S; s++) {
      let a = alpha[s]!;
      if (s > 0) a += alpha[s - 1]!;
      if (s > 1 && s % 2 === 1 && label[(s - 1) >> 1] !== label[(s - 3) >> 1]) a += alpha[s - 2]!;
      next[s] = a * stateProb(t, s);
    }
    let sum = 0;
    for (let s = 0; s < S; s++) sum += next[s]!;
    if (sum <= 0) return -Infinity;
    for (let s = 0; s < S; s++) next[s]! /= sum;
    logScale += Math.log(sum);
    [alpha, next] = [next, alpha];
  }
  const end = alpha[S - 1]! + (S > 1 ? alpha[S - 2]! : 0);
  return end > 0 ? logScale + Math.log(end) : -Infinity;
}
