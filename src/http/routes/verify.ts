// POST /idcard/verify: the 二要素 check (name + number) without an image.
import type { FastifyPluginAsync } from 'fastify';
import { verifyAnswer } from '../answers.ts';
import { checkIdentity } from '../identity.ts';
import type { RouteDeps } from './deps.ts';
import { GATEWAY_RESPONSES, verifyExamples } from './examples.ts';

const claimBody = {
  type: 'object',
  required: ['name', 'idCard'],
  properties: {
    name: { type: 'string', description: '姓名, 2–15 Chinese characters (· between parts of minority names)' },
    idCard: { type: 'string', description: '18-character resident ID number (GB 11643)' },
  },
};

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export const verifyRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  app.post<{ Body: { name?: unknown; idCard?: unknown } | undefined }>(
    '/idcard/verify',
    {
      config: {
        product: 'idcard-verify',
        openapi: {
          requestBody: {
            required: true,
            content: { 'application/x-www-form-urlencoded': { schema: claimBody }, 'application/json': { schema: claimBody }, 'multipart/form-data': { schema: claimBody } },
          },
          security: [{ appCode: [] }, { signature: [] }],
        },
      },
      schema: {
        summary: 'Verify a name and ID number (身份证二要素核验)',
        description: 'Answers the same codes as /OcridCard after the card is read: 01, 02, 202, 203, 204, 205 (HTTP 200).',
        tags: ['public'],
        response: {
          200: {
            description: 'a product result',
            type: 'object',
            properties: { code: { type: 'string' }, msg: { type: 'string' }, cert: { type: 'object' }, requestId: { type: 'string' } },
            examples: verifyExamples(),
          },
          ...GATEWAY_RESPONSES,
        },
      },
    },
    async (request) => {
      const body = request.body && typeof request.body === 'object' ? request.body : {};
      const outcome = await checkIdentity(text(body.name), text(body.idCard), { verification: deps.verification, metrics: deps.metrics });
      request.resultCode = outcome.code;
      return verifyAnswer(outcome.code, outcome.cert, request.id);
    },
  );
};
