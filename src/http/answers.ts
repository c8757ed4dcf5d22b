// Every answer the public API gives is built here: the seed's result codes with their messages
// word for word, the `ocr` and `cert` blocks, and the gateway-style HTTP errors.
import type { FastifyReply } from 'fastify';
import type { Cert } from '../idcard/index.ts';

/** The seed's result codes (strings, as the seed sends them). */
export const RESULT_MESSAGES = {
  '01': '实名认证通过!',
  '02': '实名认证不通过!',
  '-1': '图像参数不能为空',
  '-2': '图像格式错误',
  '-3': '图像无法加载',
  '-4': '图像识别失败',
  '-5': '身份证正反面错误',
  '202': '无法验证',
  '203': '异常情况',
  '204': '姓名格式不正确',
  '205': '身份证格式不正确',
} as const;

export type ResultCode = keyof typeof RESULT_MESSAGES;

export const RESULT_CODES = Object.keys(RESULT_MESSAGES) as ResultCode[];

export function isResultCode(value: unknown): value is ResultCode {
  return typeof value === 'string' && Object.hasOwn(RESULT_MESSAGES, value);
}

/** 图像识别结果: what the card says (may be tampered with). */
export interface OcrBlock {
  address: string;
  birthday: string;
  name: string;
  idCard: string;
  sex: string;
  nation: string;
}

/** 认证识别结果: what the number implies, filled only when the result is `01` (the domain's `Cert`). */
export type CertBlock = Cert;

/** The cert block of any result but `01`: the name and number asked about, the rest empty. */
export function unverifiedCert(name: string, idCard: string): CertBlock {
  return { idCard, name, sex: '', area: '', province: '', city: '', prefecture: '', birthday: '', addrCode: '', lastCode: '' };
}

export interface ImageFailureAnswer {
  code: '-1' | '-2' | '-3' | '-4' | '-5';
  msg: string;
  requestId: string;
}

export interface CardAnswer {
  code: Exclude<ResultCode, ImageFailureAnswer['code']>;
  msg: string;
  ocr: OcrBlock;
  cert: CertBlock;
  requestId: string;
  detail?: unknown;
}

export interface VerifyAnswer {
  code: Exclude<ResultCode, ImageFailureAnswer['code']>;
  msg: string;
  cert: CertBlock;
  requestId: string;
}

/** -1 … -5: nothing was read, so the seed sends only code and msg. */
export function imageFailure(code: ImageFailureAnswer['code'], requestId: string): ImageFailureAnswer {
  return { code, msg: RESULT_MESSAGES[code], requestId };
}

export function cardAnswer(code: CardAnswer['code'], ocr: OcrBlock, cert: CertBlock, requestId: string, detail?: unknown): CardAnswer {
  const answer: CardAnswer = { code, msg: RESULT_MESSAGES[code], ocr, cert, requestId };
  if (detail !== undefined) answer.detail = detail;
  return answer;
}

export function verifyAnswer(code: VerifyAnswer['code'], cert: CertBlock, requestId: string): VerifyAnswer {
  return { code, msg: RESULT_MESSAGES[code], cert, requestId };
}

/**
 * Refusals the server answers before any route runs, in the gateway's form (status,
 * X-Ca-Error-Message, X-Ca-Error-Code, JSON `{errorCode, errorMessage, requestId}`) as
 * src/gateway/errors.ts does for authentication and quota; the first two are in its table.
 */
export const GATEWAY_ERRORS = {
  invalidUrl: { status: 400, message: 'Invalid Url', code: 'InvalidUrl' },
  bodyTooLarge: { status: 413, message: 'Request Body Too Large', code: 'RequestBodyTooLarge' },
  invalidBody: { status: 400, message: 'Invalid Request Body', code: 'InvalidBody' },
  unsupportedMediaType: { status: 415, message: 'Unsupported Media Type', code: 'UnsupportedMediaType' },
  internal: { status: 500, message: 'Internal Error', code: 'InternalError' },
  notReady: { status: 503, message: 'Service Unavailable', code: 'NotReady' },
} as const;

export type GatewayError = (typeof GATEWAY_ERRORS)[keyof typeof GATEWAY_ERRORS];

export function sendGatewayError(reply: FastifyReply, error: GatewayError): FastifyReply {
  return reply
    .code(error.status)
    .header('X-Ca-Error-Message', error.message)
    .header('X-Ca-Error-Code', error.code)
    .send({ errorCode: error.code, errorMessage: error.message, requestId: reply.request.id });
}
