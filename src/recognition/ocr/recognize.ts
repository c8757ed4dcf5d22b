// Text recognition: PP-OCRv4 SVTR/CTC model on line crops of height 48, normalised
// (x/255 - 0.5) / 0.5, one line per run. Batching does not pay on CPU: measured with
// bench/ocr-profile.ts on our 2-core machine, a batch of four 320-column lines costs 140-180 µs
// of CPU per column against 115-130 µs for the same lines run one by one, before counting the
// columns a batch pads to its widest line. Returns per-step class probabilities so the
// field parsers can decode each line (or part of it) with their own constraints.
import type { OcrModels } from './engine.ts';
import { runFilled } from './engine.ts';
import type { LineProbs } from './ctc.ts';
import type { RotatedRect } from './geometry.ts';
import { cropRotated, type RgbImage } from '../pixels.ts';

export const REC_HEIGHT = 48;
const MAX_WIDTH = REC_HEIGHT * 32;
/** horizontal squeeze of line crops; 0.8 was measured faster but lost rare-character doubt */
const X_SCALE = 1;

export interface LineCrop {
  pixels: Uint8Array;
  width: number;
}

/** Cut a text line out of the image, upright along the rect's own x axis, 48 px high. */
export function cropLine(img: RgbImage, rect: RotatedRect, xScale = X_SCALE): LineCrop {
  const width = Math.max(16, Math.min(MAX_WIDTH, Math.round((xScale * REC_HEIGHT * rect.w) / Math.max(1, rect.h))));
  return { pixels: cropRotated(img, rect, width, REC_HEIGHT), width };
}

/**
 * Per-step class probabilities of each line, in order. With `models.lines` (a pool worker, see
 * peer.ts) the lines may be shared with an idle peer worker: the same model runs, same results.
 */
export async function recognizeLines(models: OcrModels, lines: LineCrop[]): Promise<LineProbs[]> {
  if (models.lines && lines.length > 1) {
    const shared = await models.lines(lines);
    if (shared) return shared;
  }
  const results: LineProbs[] = [];
  for (const line of lines) results.push(await recognizeLine(models, line));
  return results;
}

/** One line in this thread. */
export async function recognizeLine(models: OcrModels, { pixels, width }: LineCrop): Promise<LineProbs> {
  const w = Math.ceil(width / 8) * 8;
  // padding columns stay 0, the model's mid-grey
  const out = await runFilled(models.rec, [1, 3, REC_HEIGHT, w], (input) => writeModelPlanes(pixels, width, REC_HEIGHT, input, 0, w));
  const steps = out.dims[1]!, classes = out.dims[2]!;
  // only the steps covering the line itself, not the padding
  const own = Math.min(steps, Math.ceil((width / w) * steps) + 1);
  return { probs: out.data.subarray(0, own * classes), steps: own, classes };
}

/**
 * Write an RGB crop (`width` x `height`) into `out` at `offset` as the three BGR planes of a
 * `canvasWidth`-wide model input, scaled to [-1, 1]: the recogniser and the direction
 * classifier were both trained on OpenCV (BGR) input normalised (x/255 - 0.5) / 0.5.
 */
export function writeModelPlanes(pixels: Uint8Array, width: number, height: number, out: Float32Array, offset: number, canvasWidth: number): void {
  const plane = height * canvasWidth;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const q = offset + y * canvasWidth + x;
      out[q] = SIGNED_UNIT[pixels[p + 2]!]!;
      out[q + plane] = SIGNED_UNIT[pixels[p + 1]!]!;
      out[q + 2 * plane] = SIGNED_UNIT[pixels[p]!]!;
    }
  }
}

/** x / 127.5 - 1 for every byte value */
const SIGNED_UNIT = Float32Array.from({ length: 256 }, (_, x) => x / 127.5 - 1);
