// Full collections of the main thread's heap while images are arriving. An image comes as a
// string of up to ~5.6 MB (base64 in a form or JSON body) that lives through body parsing,
// validation and the metering hooks — long enough to be promoted out of V8's young generation,
// from where only a full collection frees it, and V8 schedules those by the old generation's
// growth, which it lets reach several times the live heap. Measured on `npm start` with 4 calls
// in flight (200 photos of bench:ocr's set, ~0.9 MB of body each): the main thread's heap grew
// to 260–290 MB used and the process peaked at 650–840 MB of RSS; with a full collection every
// 500 ms while images arrive, see docs/BENCHMARKS.md (session 10).
import v8 from 'node:v8';
import vm from 'node:vm';

type GcFunction = () => void;

/** V8's gc(), exposed to this module (the flag is read when a context is created). One context
 *  for the process: every server built (a test builds many) shares it. */
let exposed: { gc: GcFunction | undefined } | undefined;
export function exposedGc(): GcFunction | undefined {
  exposed ??= { gc: (globalThis as { gc?: GcFunction }).gc ?? gcFromNewContext() };
  return exposed.gc;
}

function gcFromNewContext(): GcFunction | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as GcFunction;
  } catch {
    return undefined;
  }
}

export interface ImageGarbageOptions {
  /** how often, at most, a full collection runs while images arrive */
  intervalMs?: number;
  /** image bytes received since the last collection that make the next one worth its pause */
  minBytes?: number;
  gc?: GcFunction;
}

export interface ImageGarbage {
  /** count an image's bytes (the timer starts with the first, and stops once images stop) */
  received(bytes: number): void;
  /** full collections run so far */
  collections(): number;
  close(): void;
}

export function imageGarbage(opts: ImageGarbageOptions = {}): ImageGarbage {
  const gc = opts.gc ?? exposedGc();
  const intervalMs = opts.intervalMs ?? 500;
  const minBytes = opts.minBytes ?? 4 * 1024 * 1024;
  let since = 0;
  let runs = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (since < minBytes) {
      // nothing worth a pause arrived in a whole interval: stop until the next image
      clearInterval(timer);
      timer = undefined;
      return;
    }
    since = 0;
    runs++;
    gc!();
  };
  return {
    received(bytes) {
      if (!gc || !(bytes > 0)) return;
      since += bytes;
      if (!timer) {
        timer = setInterval(tick, intervalMs);
        timer.unref();
      }
    },
    collections: () => runs,
    close() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
