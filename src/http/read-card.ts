// POST /OcridCard from image value to answer, without HTTP: the route and `shiming recognize`
// both call `answerCardImage`, so the CLI prints exactly what the API would return.
//
//   image value -> bytes (-1/-2/-3) -> header rules (-2) -> recognizer (-3 / -4 / -5)
//   -> name (204) -> number (205) -> verification source (01/02/202/203) -> cert
import { crossCheck, type CrossCheckMismatch } from '../idcard/index.ts';
import { inspectImage, decodeImage } from '../recognition/index.ts';
import type { RecognitionResult, Recognizer, ReadField } from '../recognition/index.ts';
import { readImageValue, type ImageInputDeps } from './image-input.ts';
import { cardAnswer, imageFailure, type CardAnswer, type ImageFailureAnswer, type OcrBlock } from './answers.ts';
import { checkIdentity, type IdentityDeps, type IdentityOutcome } from './identity.ts';

export interface ReadCardDeps extends IdentityDeps {
  /** resolves to the engine, or undefined when none is installed */
  recognizer: () => Promise<Recognizer | undefined>;
  images?: ImageInputDeps;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface ReadCardOptions {
  requestId: string;
  /** add the `detail` object (?detail=1) */
  detail?: boolean;
}

export type CardImageAnswer = CardAnswer | (ImageFailureAnswer & { detail?: unknown });

/** below this a field is flagged as a risk in the detail view */
const LOW_CONFIDENCE = 0.8;

function codeOf(err: unknown): '-1' | '-2' | '-3' | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '-1' || code === '-2' || code === '-3' ? code : undefined;
}

export async function answerCardImage(imageValue: unknown, deps: ReadCardDeps, options: ReadCardOptions): Promise<CardImageAnswer> {
  const { requestId } = options;
  const fail = (code: ImageFailureAnswer['code'], detail?: unknown): CardImageAnswer => {
    const answer: CardImageAnswer = imageFailure(code, requestId);
    if (options.detail && detail !== undefined) answer.detail = detail;
    return answer;
  };

  // Neither the image value nor its bytes are held while the recognizer reads (the pool takes
  // its own copy at once): what outlives V8's young generation across that wait is freed only by
  // a full collection, which V8 puts off while the old generation grows. On `npm start` with 4
  // calls in flight (200 photos of bench:ocr's set) the main thread's heap reached 260–290 MB
  // used and the process 683–840 MB of RSS; 650–713 MB with them dropped here (a full collection
  // forced every 500 ms, as an experiment: 500–537 MB). docs/BENCHMARKS.md, session 10.
  let bytes: Buffer | undefined;
  try {
    bytes = await readImageValue(imageValue, deps.images);
    imageValue = undefined;
    inspectImage(bytes);
  } catch (err) {
    const code = codeOf(err);
    if (!code) throw err;
    deps.log?.info({ code, reason: (err as { reason?: string }).reason }, 'image refused');
    return fail(code);
  }

  const recognizer = await deps.recognizer();
  let result: RecognitionResult;
  try {
    if (!recognizer) {
      // No engine installed: the image rules still apply in full (a file that cannot be
      // decoded is -3), then nothing is read.
      await decodeImage(bytes);
      return fail('-4', { side: 'none', engine: 'absent' });
    }
    const reading = recognizer.read(bytes);
    bytes = undefined;
    result = await reading;
  } catch (err) {
    const code = codeOf(err);
    if (code) return fail(code);
    deps.log?.error({ err }, 'recognition failed');
    return fail('-4');
  }
  for (const [stage, ms] of Object.entries(result.timings ?? {})) deps.metrics?.recognitionStage.observe({ stage }, ms / 1000);

  if (result.side === 'back') return fail('-5', detailOf(result, undefined, []));
  if (result.side !== 'front' || !result.front || !result.front.idCard.value) return fail('-4', detailOf(result, undefined, []));

  const f = result.front;
  const ocr: OcrBlock = {
    address: f.address.value,
    birthday: f.birthday.value,
    name: f.name.value,
    idCard: f.idCard.value,
    sex: f.sex.value,
    nation: f.nation.value,
  };
  const identity = await checkIdentity(ocr.name, ocr.idCard, deps);
  const mismatches = crossCheck({ birthday: ocr.birthday, sex: ocr.sex, idNumber: ocr.idCard });
  return cardAnswer(identity.code, ocr, identity.cert, requestId, options.detail ? detailOf(result, identity, mismatches) : undefined);
}

function detailOf(result: RecognitionResult, identity: IdentityOutcome | undefined, mismatches: CrossCheckMismatch[]): Record<string, unknown> {
  const confidences: Record<string, number> = {};
  const risks: string[] = [];
  const fields: Record<string, ReadField> = { ...(result.front ?? {}), ...(result.back ?? {}) };
  for (const [field, read] of Object.entries(fields)) {
    confidences[field] = Math.round(read.confidence * 1000) / 1000;
    if (read.confidence < LOW_CONFIDENCE) risks.push(`low-confidence:${field}`);
  }
  for (const m of mismatches) risks.push(`${m.field}-differs-from-number`);
  if (identity?.regionUnknown) risks.push('region-not-in-table');
  return {
    side: result.side,
    confidences,
    quad: result.quad ?? null,
    rotation: result.rotation ?? 0,
    back: result.back ? { authority: result.back.authority.value, validity: result.back.validity.value } : null,
    crossCheck: mismatches,
    numberProblem: identity?.numberProblem ?? null,
    sourceError: identity?.sourceError ?? null,
    risks,
    timings: result.timings ?? {},
  };
}
