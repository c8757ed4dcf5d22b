// Group commit: the holds and settlements of many concurrent calls go to the database together,
// one transaction (SQLite) or one statement (PostgreSQL) per batch, instead of one per call.
//
// A batch is flushed once the current turn of the event loop has queued what it will
// (setImmediate: every request whose bytes arrived in the same poll round joins it, and nobody
// waits on a timer), or at once when it reaches `maxItems`. While `maxInFlight` batches are
// running, new items wait and leave together when one of them ends: the busier the database,
// the bigger the batches, which is what keeps the per-call cost down under load.

export interface BatcherOptions {
  /** the most items in one batch (default 256) */
  maxItems?: number;
  /** batches running at the same time (default 1) */
  maxInFlight?: number;
}

/** Node-style: `err` is undefined on success (a failure always passes an error). */
export type BatchCallback<O> = (err: unknown, out: O | undefined) => void;

interface Pending<I, O> {
  item: I;
  cb: BatchCallback<O>;
}

export class Batcher<I, O> {
  private queue: Array<Pending<I, O>> = [];
  private scheduled = false;
  private inFlight = 0;
  /** batches sent and items in them so far */
  readonly sent = { batches: 0, items: 0 };
  private readonly maxItems: number;
  private readonly maxInFlight: number;

  /** `run` answers one output per input, in order; a throw fails every item of its batch. */
  constructor(private readonly run: (items: I[]) => Promise<O[]> | O[], options: BatcherOptions = {}) {
    this.maxItems = Math.max(1, options.maxItems ?? 256);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  }

  push(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pushCb(item, (err, out) => (err === undefined ? resolve(out as O) : reject(err)));
    });
  }

  /**
   * push() without a promise: `cb` runs when the item's batch is done (never synchronously).
   * The metering hooks' fast path uses it (a promise and its microtask turns per call cost more
   * than the batch's own work per call at thousands of calls a second).
   */
  pushCb(item: I, cb: BatchCallback<O>): void {
    this.queue.push({ item, cb });
    if (this.queue.length >= this.maxItems && this.inFlight < this.maxInFlight) this.flush();
    else this.schedule();
  }

  /** items queued and not yet sent */
  get queued(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, this.maxItems);
      this.inFlight++;
      this.sent.batches++;
      this.sent.items += batch.length;
      void this.send(batch);
    }
  }

  private async send(batch: Array<Pending<I, O>>): Promise<void> {
    let out: O[] | undefined;
    let error: unknown;
    try {
      out = await this.run(batch.map((p) => p.item));
    } catch (err) {
      error = err ?? new Error('batch failed');
    }
    this.inFlight--;
    // Each item's callback once, whatever another's does: one that throws is rethrown on its own
    // (as an exception in a promise's continuation would surface), never failing the rest.
    for (let i = 0; i < batch.length; i++) {
      try {
        if (out) batch[i].cb(undefined, out[i]);
        else batch[i].cb(error, undefined);
      } catch (err) {
        process.nextTick(() => { throw err; });
      }
    }
    if (this.queue.length > 0) this.schedule();
  }
}
