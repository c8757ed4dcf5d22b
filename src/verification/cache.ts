// A bounded, in-memory result cache in front of any source. Keyed by the pair HMAC, so the cache
// holds no plain names or numbers either. Failures are never cached: they throw through.
import type { IdentityClaim, VerificationOutcome, VerificationSource } from './types.ts';
import { normaliseIdNumber, normaliseName, type IdentityHasher } from './identity.ts';

interface Entry {
  outcome: VerificationOutcome;
  expiresAt: number;
}

/** Least-recently-used map with a time to live; a Map keeps insertion order, which is the LRU order. */
export class ResultCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs: number, private readonly maxEntries: number, private readonly now: () => number) {
    if (!(maxEntries >= 1)) throw new RangeError('cache needs room for at least one entry');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): VerificationOutcome | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry); // most recently used goes last
    return entry.outcome;
  }

  set(key: string, outcome: VerificationOutcome): void {
    this.entries.delete(key);
    this.entries.set(key, { outcome, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

/** `inner` behind a cache; concurrent asks for the same identity share one upstream call. */
export function withCache(inner: VerificationSource, cache: ResultCache, hasher: IdentityHasher): VerificationSource & { cache: ResultCache } {
  const inFlight = new Map<string, Promise<VerificationOutcome>>();
  return {
    kind: inner.kind,
    cache,
    async verify(claim: IdentityClaim): Promise<VerificationOutcome> {
      const key = hasher.pairHash(normaliseName(claim.name), normaliseIdNumber(claim.idNumber)).toString('base64');
      const cached = cache.get(key);
      if (cached) return cached;
      const pending = inFlight.get(key);
      if (pending) return pending;
      const call = inner.verify(claim).then((outcome) => {
        cache.set(key, outcome);
        return outcome;
      }).finally(() => inFlight.delete(key));
      inFlight.set(key, call);
      return call;
    },
  };
}
