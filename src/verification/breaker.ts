// A circuit breaker: after `threshold` consecutive failures the source is not called at all for
// `cooldownMs`; then one trial call is let through (half-open) and its result closes the
// breaker again or re-opens it for another cool-down.

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private mode: BreakerState = 'closed';
  private trialInFlight = false;

  constructor(private readonly threshold: number, private readonly cooldownMs: number, private readonly now: () => number) {
    if (!(threshold >= 1)) throw new RangeError('breaker threshold must be at least 1');
  }

  get state(): BreakerState {
    if (this.mode === 'open' && this.now() - this.openedAt >= this.cooldownMs) return 'half-open';
    return this.mode;
  }

  /** May a call go ahead? Every true must be followed by `success()` or `failure()`. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half-open' && !this.trialInFlight) {
      this.mode = 'half-open';
      this.trialInFlight = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.mode = 'closed';
  }

  failure(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.mode === 'half-open' || this.failures >= this.threshold) {
      this.mode = 'open';
      this.openedAt = this.now();
    }
  }
}
