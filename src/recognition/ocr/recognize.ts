// Text recognition: PP-OCRv4 SVTR/CTC model on line crops of height 48, normalised
// (x/255 - 0.5) / 0.5, batched by similar width. Returns per-step class probabilities so the
// field parsers can decode each line (or part of it) with their own constraints.
import type { OcrModels } from './engine.ts';
import { run } from './engine.ts';
import type { LineProbs } from './ctc.ts';
import type { RotatedRect } from './geometry.ts';
import { cropRotated, type RgbImage } from '../pixels.ts';

export const REC_HEIGHT = 48;
const MAX_WIDTH = REC_HEIGHT * 32;
const BATCH = 6;
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

/** `padTo`: widen each input to at least this many columns (neutral padding on the right). */
export async function recognizeLines(models: OcrModels, lines: LineCrop[], padTo = 0): Promise<LineProbs[]> {
  const order = lines.map((_, i) => i).sort((a, b) => lines[a]!.width - lines[b]!.width);
  const results: LineProbs[] = new Array(lines.length);
  for (let s = 0; s < order.length; s += BATCH) {
    const idx = order.slice(s, s + BATCH);
    const w = Math.ceil(Math.max(padTo, ...idx.map((i) => lines[i]!.width)) / 8) * 8;
    const plane = REC_HEIGHT * w;
    const input = new Float32Array(idx.length * 3 * plane);
    idx.forEach((li, b) => {
      const { pixels, width } = lines[li]!;
      const base = b * 3 * plane;
      for (let y = 0; y < REC_HEIGHT; y++) {
        for (let x = 0; x < width; x++) {
          const p = (y * width + x) * 3;
          const q = base + y * w + x;
          // BGR planes, as the model was trained with OpenCV input
          input[q] = pixels[p + 2]! / 127.5 - 1;
          input[q + plane] = pixels[p + 1]! / 127.5 - 1;
          input[q + 2 * plane] = pixels[p]! / 127.5 - 1;
        }
      }
    });
    const out = await run(models.rec, input, [idx.length, 3, REC_HEIGHT, w]);
    const steps = out.dims[1]!, classes = out.dims[2]!;
    idx.forEach((li, b) => {
      // only the steps covering the line itself, not the padding
      const own = Math.min(steps, Math.ceil((lines[li]!.width / w) * steps) + 1);
      results[li] = { probs: out.data.subarray(b * steps * classes, (b * steps + own) * classes), steps: own, classes };
    });
  }
  return results;
}
