// The recognition area's door: image bytes in, card side, fields, confidences and quad out.
export type { BackFields, CardSide, FrontFields, Quad, ReadField, RecognitionResult, Recognizer } from './types.ts';
export { createRecognizer, type RecognizerOptions } from './pool.ts';
// The image rules (-2/-3 from the header, decoding) are part of the door: the API judges an
// image before handing it to the engine.
export { inspectImage, decodeImage, ImageRejected, MAX_IMAGE_BYTES, MIN_IMAGE_SIDE, MAX_IMAGE_SIDE, type ImageInfo, type ImageFormat, type DecodedImage } from './image.ts';
