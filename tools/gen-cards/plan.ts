// Which distortions a card gets: drawn from its seed (a realistic mix), or named exactly, and
// turned into the concrete parameters the scene and the encoder take.
import type { Surface } from './backgrounds.ts';
import type { ExifOrientation, OutputFormat } from './encode.ts';
import type { Random } from './random.ts';
import type { ScenePlan } from './scene.ts';

export const DISTORTIONS = [
  'clean', 'photo', 'scan', 'perspective', 'rotate-small', 'rotate-any', 'rot90', 'rot180', 'rot270',
  'blur', 'jpeg-q30', 'glare', 'uneven-light', 'low-res', 'large', 'hand', 'exif', 'png', 'bmp24', 'bmp32',
] as const;
export type Distortion = (typeof DISTORTIONS)[number];

export interface CardPlan {
  scene: ScenePlan;
  format: OutputFormat;
  jpegQuality: number;
  blurSigma: number;
  exifOrientation: ExifOrientation;
  /** the tags of the distortions applied, for per-distortion rates */
  distortions: Distortion[];
}

/** draw a realistic mix from the seed */
export function randomDistortions(rng: Random): Distortion[] {
  const out: Distortion[] = [];
  const mode = rng.weighted([['photo', 0.7], ['scan', 0.15], ['clean', 0.15]] as const);
  out.push(mode);
  const rotation = rng.weighted([
    ['none', mode === 'photo' ? 0.05 : 0.35], ['rotate-small', mode === 'photo' ? 0.5 : 0.25], ['rotate-any', 0.13],
    ['rot90', 0.09], ['rot180', 0.09], ['rot270', 0.09],
  ] as const);
  if (rotation !== 'none') out.push(rotation);
  if (mode === 'photo') {
    if (rng.chance(0.55)) out.push('perspective');
    if (rng.chance(0.25)) out.push('hand');
    if (rng.chance(0.2)) out.push('glare');
    if (rng.chance(0.3)) out.push('uneven-light');
  }
  if (rng.chance(0.18)) out.push('blur');
  const size = rng.weighted([['normal', 0.8], ['low-res', 0.1], ['large', 0.1]] as const);
  if (size !== 'normal') out.push(size);
  // a 4096 px photo only fits the API's 4 MB limit as a JPEG
  const format = size === 'large' ? 'jpeg' : rng.weighted([['jpeg', 0.75], ['png', 0.13], ['bmp24', 0.08], ['bmp32', 0.04]] as const);
  if (format !== 'jpeg') out.push(format);
  else {
    if (rng.chance(0.15)) out.push('jpeg-q30');
    if (rng.chance(0.12)) out.push('exif');
  }
  return out;
}

function frameSize(rng: Random, has: (d: Distortion) => boolean, mode: 'clean' | 'photo' | 'scan'): [number, number] {
  if (has('large')) return rng.chance(0.7) ? [4096, 3072] : [3072, 4096];
  if (has('low-res')) {
    const w = rng.int(360, 480);
    return [w, Math.round(w * 0.75)];
  }
  if (mode === 'scan') {
    const w = rng.int(1000, 1700);
    return [w, Math.round(w * rng.float(0.66, 1.41))];
  }
  const long = rng.pick([1280, 1440, 1600, 1920, 2048]);
  const short = Math.round(long * rng.pick([0.75, 0.5625, 0.75]));
  if (mode === 'clean') return [long, Math.round(long * 0.66)];
  return rng.chance(0.7) ? [long, short] : [short, long];
}

export function resolvePlan(distortions: readonly Distortion[], rng: Random): CardPlan {
  const has = (d: Distortion) => distortions.includes(d);
  const mode = has('scan') ? 'scan' : has('photo') ? 'photo' : 'clean';
  const [width, height] = frameSize(rng, has, mode);
  let roll = 0;
  if (has('rot90')) roll = 90;
  else if (has('rot180')) roll = 180;
  else if (has('rot270')) roll = 270;
  else if (has('rotate-any')) roll = rng.float(0, 360);
  else if (has('rotate-small')) roll = mode === 'scan' ? rng.float(-2, 2) : rng.float(-12, 12);
  const tilt = has('perspective') ? 25 : mode === 'photo' ? 4 : 0;
  const surface: Surface = mode === 'scan' ? 'scanner' : mode === 'clean' ? 'plain' : rng.pick(['wood', 'desk', 'cloth', 'desk'] as const);
  const cardFraction = mode === 'clean' ? rng.float(0.88, 0.95) : mode === 'scan' ? rng.float(0.35, 0.9) : rng.float(0.3, 0.95);
  const scene: ScenePlan = {
    width, height, surface, cardFraction,
    cardWidthPx: has('low-res') ? rng.float(280, 320) : undefined,
    pose: {
      rollDeg: roll,
      pitchDeg: tilt ? rng.float(-tilt, tilt) : 0,
      yawDeg: tilt ? rng.float(-tilt, tilt) : 0,
    },
    shadow: mode === 'photo',
    hand: has('hand'),
    glare: has('glare') ? rng.float(0.35, 0.6) : 0,
    unevenLight: has('uneven-light') ? rng.float(0.25, 0.55) : 0,
    noise: mode === 'photo' ? rng.float(0.04, 0.12) : mode === 'scan' ? 0.03 : 0,
  };
  const format: OutputFormat = has('bmp32') ? 'bmp32' : has('bmp24') ? 'bmp24' : has('png') ? 'png' : 'jpeg';
  // what the API accepts (seed: at most 4 MB): uncompressed and PNG frames get a pixel budget
  const budget = { bmp24: 1.3e6, bmp32: 1.0e6, png: 1.2e6, jpeg: Infinity }[format];
  if (width * height > budget) {
    const shrink = Math.sqrt(budget / (width * height));
    scene.width = Math.floor(width * shrink);
    scene.height = Math.floor(height * shrink);
  }
  const jpegQuality = has('jpeg-q30') ? 30 : rng.int(70, has('large') ? 88 : 95);
  const cardPx = scene.cardWidthPx ?? Math.max(scene.width, scene.height) * cardFraction;
  const blurSigma = has('blur') ? Math.max(0.6, (cardPx / 850) * rng.float(1.0, 2.2)) : 0;
  const exifOrientation = has('exif') && format === 'jpeg' ? rng.pick([3, 6, 8] as const) : 1;
  return { scene, format, jpegQuality, blurSigma, exifOrientation, distortions: [...distortions] };
}
