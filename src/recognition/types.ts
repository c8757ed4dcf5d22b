// The contract between the recognition engine and everything that uses it (the /OcridCard
// route, `shiming recognize`, the benchmarks). Keep it stable; extend, don't break.

export type CardSide = 'front' | 'back' | 'none';

/** A value read from the card, with the engine's confidence in it (0..1). */
export interface ReadField {
  value: string;
  confidence: number;
}

/** 人像面. Values are normalised: birthday `YYYYMMDD`, idCard 18 chars with upper-case X,
 *  address lines joined without spaces, nation one of the 56 names (without 族). */
export interface FrontFields {
  name: ReadField;
  sex: ReadField;
  nation: ReadField;
  birthday: ReadField;
  address: ReadField;
  idCard: ReadField;
}

/** 国徽面. validity `YYYY.MM.DD-YYYY.MM.DD` or `YYYY.MM.DD-长期`. */
export interface BackFields {
  authority: ReadField;
  validity: ReadField;
}

/** Corner points of the card in the original image's pixel coordinates (after EXIF
 *  orientation), clockwise from the card's own top-left. */
export type Quad = [[number, number], [number, number], [number, number], [number, number]];

export interface RecognitionResult {
  side: CardSide;
  front?: FrontFields;
  back?: BackFields;
  quad?: Quad;
  /** the corners estimated from the text alone, before card-edges.ts moved them onto the
   *  card's edges (kept for measuring that step; not part of any answer) */
  quadFromText?: Quad;
  /** rotation applied to bring the card upright: 0, 90, 180 or 270 (plus skew, in degrees) */
  rotation?: number;
  /** milliseconds per stage (decode, detect, rectify, recognise, parse) for metrics */
  timings: Record<string, number>;
}

export interface Recognizer {
  /** image bytes (JPEG/PNG/BMP, already accepted by inspectImage) in, fields out */
  read(image: Buffer): Promise<RecognitionResult>;
  /** jobs waiting for a worker, for the metrics */
  queueLength(): number;
  close(): Promise<void>;
}
