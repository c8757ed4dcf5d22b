// The recogniser's input drawn from text: one 48 px line, dark ink on paper, the card's sans face
// at 32 px (text about two thirds of the line, as the recogniser sees a cropped line).
import { createCanvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import { REC_HEIGHT } from '../../src/recognition/ocr/recognize.ts';
import { SANS } from '../gen-cards/fonts.ts';

/** the face's size in the 48 px line */
export const DRAWN_PX = 32;

/** `text` drawn as a line the recogniser reads (fonts registered by the caller). */
export function lineImage(text: string): { pixels: Uint8Array; width: number } {
  const probe = createCanvas(8, 8).getContext('2d');
  const font = `${DRAWN_PX}px ${SANS}`;
  probe.font = font;
  const width = Math.ceil(probe.measureText(text).width) + 16;
  const canvas = createCanvas(width, REC_HEIGHT);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'rgb(236,238,232)';
  ctx.fillRect(0, 0, width, REC_HEIGHT);
  ctx.fillStyle = 'rgb(20,20,24)';
  ctx.font = font;
  ctx.textBaseline = 'middle';
  ctx.fillText(text, 8, REC_HEIGHT / 2 + 1);
  const rgba = ctx.getImageData(0, 0, width, REC_HEIGHT).data;
  const pixels = new Uint8Array(width * REC_HEIGHT * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    pixels[j] = rgba[i]!; pixels[j + 1] = rgba[i + 1]!; pixels[j + 2] = rgba[i + 2]!;
  }
  return { pixels, width };
}

/** `text` drawn as a line, reduced to `textPx` high and enlarged back, blurred by `blur`. */
export async function smallLine(text: string, textPx: number, blur: number): Promise<{ pixels: Uint8Array; width: number }> {
  const { pixels: rgb, width } = lineImage(text);
  const f = textPx / DRAWN_PX;
  const sw = Math.max(4, Math.round(width * f)), sh = Math.max(4, Math.round(REC_HEIGHT * f));
  const small = await sharp(rgb, { raw: { width, height: REC_HEIGHT, channels: 3 } }).resize(sw, sh, { fit: 'fill' }).raw().toBuffer();
  let up = sharp(small, { raw: { width: sw, height: sh, channels: 3 } }).resize(width, REC_HEIGHT, { fit: 'fill', kernel: 'linear' });
  if (blur > 0) up = up.blur(blur);
  return { pixels: new Uint8Array(await up.raw().toBuffer()), width };
}
