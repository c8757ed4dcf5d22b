// The synthetic ID card generator: `generateCard(seed, options)` is a pure function of its
// arguments (same seed and options, same bytes), returning the image file and its ground truth.
import type { Canvas } from '@napi-rs/canvas';
import { NATIONS } from '../../src/idcard/index.ts';
import { CARD_HEIGHT_MM, CARD_WIDTH_MM, renderBack, renderFront } from './card.ts';
import { missingCharacters } from './dictionary.ts';
import { encodeFrame, fileExtension, type ExifOrientation, type OutputFormat } from './encode.ts';
import type { Quad } from './geometry.ts';
import { makeIdentity, type Identity } from './identity.ts';
import { documentSheet, paintNegative, type NegativeKind } from './negatives.ts';
import { randomDistortions, resolvePlan, type Distortion } from './plan.ts';
import { createRandom, itemSeed, type Random } from './random.ts';
import { composeScene, type Sheet } from './scene.ts';

export { DISTORTIONS, type Distortion } from './plan.ts';
export type { NegativeKind } from './negatives.ts';
export type { OutputFormat, ExifOrientation } from './encode.ts';
export type { Quad } from './geometry.ts';
export { decodeBmp } from './encode.ts';
export { itemSeed } from './random.ts';

export type CardSide = 'front' | 'back' | 'none';

/** bumped whenever the same seed would give different images, so cached sets are not reused */
export const GENERATOR_VERSION = 2;

/** the API's image size limit (seed: 大小限制在4M以内) */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

export interface FrontTruth {
  name: string;
  sex: string;
  nation: string;
  /** YYYYMMDD */
  birthday: string;
  /** all lines joined, no spaces */
  address: string;
  idCard: string;
}

export interface BackTruth {
  authority: string;
  validity: string;
}

export interface CardTruth {
  seed: number;
  side: CardSide;
  format: OutputFormat;
  /** image size as displayed, i.e. after the EXIF orientation is applied */
  width: number;
  height: number;
  /** 1 when there is no orientation tag; 3/6/8: the pixels are stored rotated, the tag undoes it */
  exifOrientation: ExifOrientation;
  front?: FrontTruth;
  /** the address as printed, line by line */
  addressLines?: string[];
  back?: BackTruth;
  /** card corners TL, TR, BR, BL (the card's own), in displayed pixel coordinates */
  quad?: Quad;
  /** the card's in-plane rotation in the image, degrees clockwise, in [0, 360) */
  rollDeg?: number;
  /** card top-edge length in pixels */
  cardWidthPx?: number;
  negative?: NegativeKind;
  distortions: Distortion[];
  jpegQuality?: number;
  blurSigma?: number;
  /** every character of the free-text fields (name, address; authority, validity) is in the
   *  OCR model's dictionary; the nation is not counted since it comes from a closed list */
  inDictionary: boolean;
  missingChars: string[];
  nationInDictionary?: boolean;
}

export interface GenerateOptions {
  /** default 'front' */
  side?: CardSide;
  /** exactly these distortions; drawn from the seed when absent */
  distortions?: Distortion[];
  /** for side 'none': the kind of negative (drawn from the seed when absent) */
  negative?: NegativeKind;
  /** share of names and addresses with a rare character (default 0.06) */
  rareShare?: number;
  /** force the nation (e.g. to cover all 56 in a fixed set) */
  nation?: string;
  /** override the frame size (keeps committed fixtures small) */
  frame?: { width: number; height: number };
  /** with the 'exif' distortion: which orientation tag to write */
  exifOrientation?: 3 | 6 | 8;
}

export interface GeneratedCard {
  bytes: Buffer;
  /** file extension without the dot */
  extension: string;
  truth: CardTruth;
}

function cardSheet(side: 'front' | 'back', person: Identity, rng: Random, lines: { value: string[] }): Sheet {
  return {
    widthMm: CARD_WIDTH_MM,
    heightMm: CARD_HEIGHT_MM,
    thumbSafeMm: 4,
    render(k: number): Canvas {
      const r = rng.fork('render');
      const rendered = side === 'front' ? renderFront(person, r, k) : renderBack(person, r, k);
      lines.value = rendered.addressLines;
      return rendered.canvas;
    },
  };
}

function normaliseRoll(deg: number): number {
  const r = ((deg % 360) + 360) % 360;
  return Math.round(r * 1000) / 1000;
}

export async function generateCard(seed: number, options: GenerateOptions = {}): Promise<GeneratedCard> {
  const rng = createRandom(seed);
  const identityRng = rng.fork('identity');
  const planRng = rng.fork('plan');
  const sceneRng = rng.fork('scene');
  const cardRng = rng.fork('card');
  const side = options.side ?? 'front';
  const distortions = options.distortions ?? randomDistortions(planRng.fork('draw'));
  const plan = resolvePlan(distortions, planRng.fork('resolve'));
  if (options.frame) Object.assign(plan.scene, options.frame);
  if (options.exifOrientation && plan.exifOrientation !== 1) plan.exifOrientation = options.exifOrientation;
  let canvas: Canvas;
  const truth: CardTruth = {
    seed, side, format: plan.format, width: 0, height: 0, exifOrientation: plan.exifOrientation,
    distortions: plan.distortions, inDictionary: true, missingChars: [],
  };
  if (side === 'none') {
    const kind = options.negative ?? cardRng.pick(['document', 'scene', 'blank'] as const);
    truth.negative = kind;
    if (kind === 'document') canvas = composeScene(documentSheet(cardRng), { ...plan.scene, cardFraction: Math.max(0.6, plan.scene.cardFraction), cardWidthPx: undefined }, sceneRng).canvas;
    else canvas = paintNegative(kind, sceneRng, plan.scene.width, plan.scene.height);
  } else {
    const person = makeIdentity(identityRng, { rareShare: options.rareShare, nation: options.nation });
    const lines = { value: [] as string[] };
    const composed = composeScene(cardSheet(side, person, cardRng, lines), plan.scene, sceneRng);
    canvas = composed.canvas;
    truth.quad = composed.quad.map(([x, y]) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100]) as Quad;
    truth.rollDeg = normaliseRoll(plan.scene.pose.rollDeg);
    truth.cardWidthPx = Math.round(composed.sheetWidthPx);
    if (side === 'front') {
      truth.front = { name: person.name, sex: person.sex, nation: person.nation, birthday: person.birthday, address: person.address, idCard: person.idCard };
      truth.addressLines = lines.value;
      truth.missingChars = missingCharacters(person.name, person.address);
      truth.nationInDictionary = missingCharacters(person.nation).length === 0;
    } else {
      truth.back = { authority: person.authority, validity: person.validity };
      truth.missingChars = missingCharacters(person.authority, person.validity);
    }
    truth.inDictionary = truth.missingChars.length === 0;
  }
  // the frame is drawn upright; EXIF only changes how the pixels are stored
  truth.width = plan.scene.width;
  truth.height = plan.scene.height;
  if (plan.format === 'jpeg') truth.jpegQuality = plan.jpegQuality;
  if (plan.blurSigma > 0) truth.blurSigma = Math.round(plan.blurSigma * 100) / 100;
  const rgba = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const encode = () => encodeFrame(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), canvas.width, canvas.height, {
    format: plan.format, jpegQuality: plan.jpegQuality, blurSigma: plan.blurSigma, exifOrientation: plan.exifOrientation,
  });
  let bytes = await encode();
  // stay inside the API's 4 MB limit: a JPEG steps its quality down (PNG/BMP frames are sized
  // for it in the plan)
  while (bytes.length > MAX_IMAGE_BYTES && plan.format === 'jpeg' && plan.jpegQuality > 30) {
    plan.jpegQuality = Math.max(30, plan.jpegQuality - 10);
    truth.jpegQuality = plan.jpegQuality;
    bytes = await encode();
  }
  return { bytes, extension: fileExtension(plan.format), truth };
}

export interface Mix {
  /** share of backs (default 0.12) */
  backs?: number;
  /** share of images without a card (default 0.08) */
  negatives?: number;
}

/** The side of the n-th image of a run, drawn from the mix. */
export function sideOf(runSeed: number, index: number, mix: Mix = {}): CardSide {
  const r = createRandom(itemSeed(runSeed, index) ^ 0x5eed).next();
  const negatives = mix.negatives ?? 0.08;
  const backs = mix.backs ?? 0.12;
  return r < negatives ? 'none' : r < negatives + backs ? 'back' : 'front';
}

/** The n-th image of a run: side drawn from the mix, distortions from the seed; every second
 *  image cycles through the 56 nations so a run of a few hundred covers them all. */
export function generateMixed(runSeed: number, index: number, mix: Mix = {}): Promise<GeneratedCard> {
  const { seed, options } = mixedItem(runSeed, index, mix);
  return generateCard(seed, options);
}

/** The seed and options of the n-th image of a run (what generateMixed generates). */
export function mixedItem(runSeed: number, index: number, mix: Mix = {}): { seed: number; options: GenerateOptions } {
  const nation = index % 2 === 0 ? NATIONS[(index / 2) % NATIONS.length] : undefined;
  return { seed: itemSeed(runSeed, index), options: { side: sideOf(runSeed, index, mix), nation } };
}
