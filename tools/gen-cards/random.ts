// A small seeded PRNG (sfc32 seeded through splitmix32) so every card is a pure function of its
// seed: same seed, same identity, same pixels, same bytes.

export interface Random {
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [min, max] inclusive */
  int(min: number, max: number): number;
  /** float in [min, max) */
  float(min: number, max: number): number;
  /** true with probability p */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** pick by weights: [[item, weight], ...] */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** standard normal (Box–Muller) */
  normal(): number;
  /** an independent stream derived from this one and a label, so adding draws in one part of
   *  the generator does not shift every other part */
  fork(label: string): Random;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashLabel(label: string): number {
  let h = 2166136261 >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export function createRandom(seed: number): Random {
  const init = splitmix32(seed);
  let a = init(), b = init(), c = init(), d = init();
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextU32();
  const rnd: Random = {
    next: () => nextU32() / 4294967296,
    int: (min, max) => min + Math.floor(rnd.next() * (max - min + 1)),
    float: (min, max) => min + rnd.next() * (max - min),
    chance: (p) => rnd.next() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(rnd.next() * items.length)]!;
    },
    weighted: (items) => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = rnd.next() * total;
      for (const [item, w] of items) {
        if (r < w) return item;
        r -= w;
      }
      return items[items.length - 1]![0];
    },
    normal: () => {
      const u = Math.max(rnd.next(), 1e-12);
      const v = rnd.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    fork: (label) => createRandom((nextU32() ^ hashLabel(label)) >>> 0),
  };
  return rnd;
}

/** A derived seed for the n-th item of a run, stable whatever the run's length. */
export function itemSeed(runSeed: number, index: number): number {
  return (splitmix32((runSeed >>> 0) ^ Math.imul(index + 1, 0x9e3779b1))() ^ index) >>> 0;
}
