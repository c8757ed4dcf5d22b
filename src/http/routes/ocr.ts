// POST /OcridCard: the cloud-market product's endpoint. The flow lives in ../read-card.ts.
import type { FastifyPluginAsync } from 'fastify';
import { answerCardImage } from '../read-card.ts';
import { imageGarbage } from '../image-garbage.ts';
import type { RouteDeps } from './deps.ts';
import { GATEWAY_RESPONSES, ocrExamples } from './examples.ts';

const blockSchema = (fields: string[]) => ({
  type: 'object',
  properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' }])),
});

export const cardAnswerSchema = {
  type: 'object',
  required: ['code', 'msg', 'requestId'],
  properties: {
    code: { type: 'string', enum: ['01', '02', '-1', '-2', '-3', '-4', '-5', '202', '203', '204', '205'] },
    msg: { type: 'string' },
    ocr: { ...blockSchema(['address', 'birthday', 'name', 'idCard', 'sex', 'nation']), description: '图像识别结果: what the card shows (may be tampered with); absent for -1 … -5' },
    cert: { ...blockSchema(['idCard', 'name', 'sex', 'area', 'province', 'city', 'prefecture', 'birthday', 'addrCode', 'lastCode']), description: '认证识别结果: what the number states; only idCard and name are filled unless code is 01' },
    requestId: { type: 'string' },
    detail: { type: 'object', description: 'only with ?detail=1: confidences, quad, side, back fields, cross-check mismatches, risks, timings' },
  },
};

const imageBody = {
  type: 'object',
  required: ['image'],
  properties: {
    image: { type: 'string', description: 'base64 of a JPEG/PNG/BMP (a `data:image/…;base64,` prefix is allowed) or an http(s) URL; at most 4 MB, sides 15–4096 px' },
  },
};

export const ocrRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const garbage = imageGarbage();
  app.addHook('onClose', async () => garbage.close());
  app.post<{ Body: { image?: unknown } | undefined; Querystring: { detail?: string } }>(
    '/OcridCard',
    {
      config: {
        product: 'idcard-ocr',
        openapi: {
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': { schema: imageBody },
              'application/json': { schema: imageBody },
              'multipart/form-data': { schema: { type: 'object', properties: { image: { description: 'the image file, or its base64/URL as a field' } } } },
            },
          },
          security: [{ appCode: [] }, { signature: [] }],
        },
      },
      schema: {
        summary: 'Read an ID card image and verify the name and number (OCR身份证识别 + 实名认证)',
        description: 'Product results (codes 01, 02, -1 … -5, 202 … 205) all come back with HTTP 200.',
        tags: ['public'],
        querystring: { type: 'object', properties: { detail: { type: 'string', description: '`1` adds the detail object' } } },
        response: { 200: { description: 'a product result', ...cardAnswerSchema, examples: ocrExamples() }, ...GATEWAY_RESPONSES },
      },
    },
    async (request) => {
      const body = request.body;
      const image = body && typeof body === 'object' ? (body as { image?: unknown }).image : undefined;
      // The image (base64 of up to 4 MB, or an uploaded file) is not left on the request while the
      // card is read: held across that wait, it outlives V8's young generation and stays until
      // the next full collection (see answerCardImage).
      if (body && typeof body === 'object') delete (body as { image?: unknown }).image;
      garbage.received(typeof image === 'string' || Buffer.isBuffer(image) ? image.length : 0);
      const answer = await answerCardImage(image, {
        recognizer: deps.recognizer,
        verification: deps.verification,
        metrics: deps.metrics,
        images: deps.images,
        log: request.log,
      }, { requestId: request.id, detail: request.query.detail === '1' || request.query.detail === 'true' });
      request.resultCode = answer.code;
      return answer;
    },
  );
};
