// The gateway area's only door: apps and credentials, signatures, nonces, idempotency keys,
// rate limits, and the refusals the cloud gateway answers with.
export {
  createApp, resetAppCode, resetAppSecret, setAppActive, setBuyerActive, listApps, AppDirectory, AppInputError,
  type CreatedApp, type AppSummary, type AppCredentials,
} from './apps.ts';
export { secretKeyOf, hashAppCode, encryptSecret, decryptSecret, APP_CODE_PATTERN, type SecretKeySource } from './secrets.ts';
export { GATEWAY_ERRORS, GatewayRefusal, headerSafe, type GatewayErrorCode } from './errors.ts';
export {
  buildStringToSign, pathAndParameters, parseParameters, signedHeaderNames, parseSignatureMethod, sign, signaturesEqual,
  contentMd5, showStringToSign, isFormContentType, TIMESTAMP_WINDOW_MS, FORM_CONTENT_TYPE,
  type SignableRequest, type SignatureMethod, type Parameters,
} from './signature.ts';
export {
  useNonce, claimIdempotencyKey, finishIdempotencyKey, requestFingerprint, sweepGatewayState, IDEMPOTENCY_TTL_MS,
  type IdempotencyClaim,
} from './nonces.ts';
export { RateLimiter, heartbeat, NODE_LIVENESS_MS, type RateLimits } from './ratelimit.ts';
export { newRequestId } from './request-id.ts';
