// Text direction: the mobile v2 classifier says whether a line crop reads upright (0) or is
// upside down (180). Input 48 x 192, normalised (x/255 - 0.5) / 0.5.
import type { OcrModels } from './engine.ts';
import { runFilled } from './engine.ts';
import type { RotatedRect } from './geometry.ts';
import { cropRotated, type RgbImage } from '../pixels.ts';
import { writeModelPlanes } from './recognize.ts';

const H = 48, W = 192;

/** log P(180) - log P(0) summed over the lines: positive means the lines read upside down. */
export async function upsideDownEvidence(models: OcrModels, img: RgbImage, rects: RotatedRect[]): Promise<number> {
  if (!rects.length) return 0;
  const plane = H * W;
  const out = await runFilled(models.cls, [rects.length, 3, H, W], (input) => {
    rects.forEach((r, b) => {
      // a long line is classified on a 4:1 window at its centre rather than squashed
      const part: RotatedRect = r.w > 4 * r.h ? { ...r, w: 4 * r.h } : r;
      const width = Math.max(8, Math.min(W, Math.round((H * part.w) / Math.max(1, part.h))));
      const px = cropRotated(img, part, width, H);
      writeModelPlanes(px, width, H, input, b * 3 * plane, W);
    });
  });
  let evidence = 0;
  for (let b = 0; b < rects.length; b++) {
    const p0 = Math.max(1e-6, out.data[2 * b]!), p180 = Math.max(1e-6, out.data[2 * b + 1]!);
    evidence += Math.log(p180) - Math.log(p0);
  }
  return evidence;
}
