// Example answers for every result code, for /openapi.json (and mirrored in docs/API.md).
import { RESULT_MESSAGES, unverifiedCert, type CertBlock, type OcrBlock, type ResultCode } from '../answers.ts';

const REQUEST_ID = '5F1B3C9E-2A44-4C43-9B1D-8D0F2E6A7C11';

export const SEED_OCR: OcrBlock = {
  address: '贵州省松桃苗族自治县真旗屯村湾头组',
  birthday: '19850911',
  name: '张三',
  idCard: '522229198509112018',
  sex: '男',
  nation: '汉',
};

export const SEED_CERT: CertBlock = {
  idCard: '522229198509112018',
  name: '张三',
  sex: '男',
  area: '贵州省松桃苗族自治县',
  province: '贵州省',
  city: '',
  prefecture: '松桃苗族自治县',
  birthday: '1985-09-11',
  addrCode: '522229',
  lastCode: '8',
};

const WHEN: Record<ResultCode, string> = {
  '01': 'the name and number belong together (实名认证通过)',
  '02': 'the number is known with another name',
  '-1': 'no image value, or an empty one',
  '-2': 'not JPEG/PNG/BMP by its signature, over 4 MB, shortest side < 15 px or longest > 4096 px, or not base64/URL',
  '-3': 'a JPEG/PNG/BMP that cannot be decoded, or a URL that cannot or may not be fetched',
  '-4': 'no card could be read from the image',
  '-5': 'the image shows the back (国徽面) of the card',
  '202': 'the verification source does not know the number',
  '203': 'the verification source failed (timeout, error)',
  '204': 'the name is not 2–15 Chinese characters (with · between parts)',
  '205': 'the number breaks GB 11643 (length, characters, date, region, check digit)',
};

function cardExample(code: ResultCode, ocr: OcrBlock, cert: CertBlock): Record<string, unknown> {
  return { code, msg: RESULT_MESSAGES[code], ocr, cert, requestId: REQUEST_ID };
}

export function ocrExamples(): Record<string, { summary: string; value: unknown }> {
  const out: Record<string, { summary: string; value: unknown }> = {};
  for (const code of Object.keys(RESULT_MESSAGES) as ResultCode[]) {
    let value: unknown;
    if (code.startsWith('-')) value = { code, msg: RESULT_MESSAGES[code], requestId: REQUEST_ID };
    else if (code === '01') value = cardExample(code, SEED_OCR, SEED_CERT);
    else if (code === '204') value = cardExample(code, { ...SEED_OCR, name: '张' }, unverifiedCert('张', SEED_OCR.idCard));
    else if (code === '205') value = cardExample(code, { ...SEED_OCR, idCard: '522229198509112019' }, unverifiedCert('张三', '522229198509112019'));
    else value = cardExample(code, SEED_OCR, unverifiedCert('张三', SEED_OCR.idCard));
    out[code] = { summary: `${code} ${RESULT_MESSAGES[code]}: ${WHEN[code]}`, value };
  }
  return out;
}

export function verifyExamples(): Record<string, { summary: string; value: unknown }> {
  const out: Record<string, { summary: string; value: unknown }> = {};
  for (const code of ['01', '02', '202', '203', '204', '205'] as const) {
    const cert = code === '01' ? SEED_CERT : code === '204' ? unverifiedCert('张', SEED_CERT.idCard) : code === '205' ? unverifiedCert('张三', '522229198509112019') : unverifiedCert('张三', SEED_CERT.idCard);
    out[code] = { summary: `${code} ${RESULT_MESSAGES[code]}: ${WHEN[code]}`, value: { code, msg: RESULT_MESSAGES[code], cert, requestId: REQUEST_ID } };
  }
  return out;
}

const refusalSchema = {
  type: 'object',
  properties: { errorCode: { type: 'string' }, errorMessage: { type: 'string' }, requestId: { type: 'string' } },
};

function refusal(errorCode: string, errorMessage: string) {
  return { summary: errorMessage, value: { errorCode, errorMessage, requestId: REQUEST_ID } };
}

/** The gateway's own answers that any public route may give. */
export const GATEWAY_RESPONSES = {
  400: { description: 'Invalid Url / Invalid AppCode `not exists` / Invalid Signature … / Invalid Request Body (the X-Ca-Error-Message header)', ...refusalSchema, examples: { invalidAppCode: refusal('InvalidAppCode', 'Invalid AppCode `not exists`'), invalidUrl: refusal('InvalidUrl', 'Invalid Url') } },
  401: { description: 'Empty Signature: no credentials', ...refusalSchema, examples: { empty: refusal('EmptySignature', 'Empty Signature') } },
  403: { description: 'Quota Exhausted / Quota Expired / Throttled by … Flow Control / Unauthorized', ...refusalSchema, examples: { quota: refusal('QuotaExhausted', 'Quota Exhausted') } },
  413: { description: 'Request Body Too Large', ...refusalSchema, examples: { tooLarge: refusal('RequestBodyTooLarge', 'Request Body Too Large') } },
} as const;
