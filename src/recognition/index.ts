// The recognition area's door: image bytes in, card side, fields, confidences and quad out.
export type { BackFields, CardSide, FrontFields, Quad, ReadField, RecognitionResult, Recognizer } from './types.ts';
export { createRecognizer, type RecognizerOptions } from './pool.ts';
