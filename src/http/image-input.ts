// The request's `image` value -> image bytes. The seed accepts a base64 string (we also take a
// `data:image/...;base64,` prefix, line breaks and the URL-safe alphabet) or an http(s) URL.
// Codes are the seed's: -1 图像参数不能为空, -2 图像格式错误 (not an image / over 4 MB),
// -3 图像无法加载 (a URL that cannot or may not be fetched).
//
// Fetching a caller-supplied URL from inside the operator's network is a server-side request
// forgery risk, so: http/https only; every address a name resolves to must be public unicast,
// checked after DNS and on every redirect hop; the connection goes to the very address that was
// checked (a pinned `lookup`), so a DNS answer that changes between check and connect (DNS
// rebinding) cannot slip a private address in; at most 3 redirects, a 5 s deadline over the
// whole exchange, and a 4 MB cap counted while the body streams. The operator may name hosts
// (`host` or `host:port`) that skip the address check, e.g. an internal image store.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { publicAddressError } from './image-input-address.ts';

export { isPublicAddress, publicAddressError } from './image-input-address.ts';

export const IMAGE_MAX_BYTES = 4 * 1024 * 1024;
export const IMAGE_FETCH_TIMEOUT_MS = 5000;
export const IMAGE_MAX_REDIRECTS = 3;

export type ImageInputCode = '-1' | '-2' | '-3';

/** `reason` is for the detail log only; the client sees the seed's message for `code`. */
export class ImageInputError extends Error {
  readonly code: ImageInputCode;
  readonly reason: string;
  constructor(code: ImageInputCode, reason: string) {
    super(`image input refused (${code}): ${reason}`);
    this.name = 'ImageInputError';
    this.code = code;
    this.reason = reason;
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address `hostname` resolves to. */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export interface ImageInputDeps {
  /** `host` or `host:port` (as written in URLs, IPv6 in brackets) that may be private */
  allowedImageHosts?: readonly string[];
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  lookup?: HostLookup;
  /** extra trust anchors for https image hosts (an operator's internal CA); default: Node's */
  caCertificates?: string | Buffer | Array<string | Buffer>;
}

export const systemLookup: HostLookup = async (hostname) => {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** The `image` field of a request (string, or raw bytes from a multipart file) -> bytes. */
export async function readImageValue(value: unknown, deps: ImageInputDeps = {}): Promise<Buffer> {
  const maxBytes = deps.maxBytes ?? IMAGE_MAX_BYTES;
  if (value === undefined || value === null) throw new ImageInputError('-1', 'no image value');
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    if (value.length === 0) throw new ImageInputError('-1', 'empty image upload');
    if (value.length > maxBytes) throw new ImageInputError('-2', `upload of ${value.length} bytes over ${maxBytes}`);
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
  }
  if (typeof value !== 'string') throw new ImageInputError('-2', `image value is a ${Array.isArray(value) ? 'list' : typeof value}`);
  const text = value.trim();
  if (text === '') throw new ImageInputError('-1', 'empty image value');
  if (/^data:/i.test(text)) return decodeBase64Image(stripDataUrlPrefix(text), maxBytes);
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return fetchImage(text, deps); // base64 has no ':'
  return decodeBase64Image(text, maxBytes);
}

function stripDataUrlPrefix(text: string): string {
  const comma = text.indexOf(',');
  const header = comma < 0 ? text : text.slice(0, comma);
  if (comma < 0 || !/;base64$/i.test(header)) throw new ImageInputError('-2', 'data URL is not base64');
  return text.slice(comma + 1);
}

/** Standard or URL-safe base64, padded or not, with line breaks anywhere. Decoded size is
 *  computed from the length before anything is decoded. */
export function decodeBase64Image(encoded: string, maxBytes = IMAGE_MAX_BYTES): Buffer {
  let text = encoded.replace(/[\r\n\t\f\v]+/g, '');
  if (text.includes(' ')) {
    // A client that posts form-urlencoded without escaping turns every '+' into ' '. Such a
    // string has spaces but no '+', and its length counting the spaces is a whole number of
    // quads; otherwise spaces are just formatting.
    const lostPlus = !text.includes('+') && text.length % 4 === 0;
    text = lostPlus ? text.replaceAll(' ', '+') : text.replaceAll(' ', '');
  }
  if (text === '') throw new ImageInputError('-1', 'empty base64 image');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw new ImageInputError('-2', 'image value is neither base64 nor a URL');
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1 || (body.length !== text.length && text.length % 4 !== 0)) {
    throw new ImageInputError('-2', 'base64 of impossible length');
  }
  const size = Math.floor((body.length * 3) / 4);
  if (size > maxBytes) throw new ImageInputError('-2', `base64 image of ${size} bytes over ${maxBytes}`);
  return Buffer.from(body, 'base64'); // node's decoder reads both alphabets
}

/** GET an http(s) image under the SSRF rules above. */
export async function fetchImage(rawUrl: string, deps: ImageInputDeps = {}): Promise<Buffer> {
  const timeoutMs = deps.timeoutMs ?? IMAGE_FETCH_TIMEOUT_MS;
  const maxRedirects = deps.maxRedirects ?? IMAGE_MAX_REDIRECTS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    let url = httpUrl(rawUrl);
    for (let redirects = 0; ; redirects++) {
      const target = await resolveTarget(url, deps, controller.signal);
      const response = await get(url, target, controller.signal, deps.caCertificates);
      const status = response.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status)) {
        response.destroy();
        const location = response.headers.location;
        if (!location) throw new ImageInputError('-3', `redirect ${status} without a Location`);
        if (redirects >= maxRedirects) throw new ImageInputError('-3', `more than ${maxRedirects} redirects`);
        url = httpUrl(new URL(location, url).href);
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        throw new ImageInputError('-3', `image URL answered HTTP ${status}`);
      }
      return await readBody(response, deps.maxBytes ?? IMAGE_MAX_BYTES);
    }
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    if (controller.signal.aborted) throw new ImageInputError('-3', `image URL timed out after ${timeoutMs} ms`);
    throw new ImageInputError('-3', `image URL cannot be fetched: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

function httpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ImageInputError('-3', 'image URL is malformed');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ImageInputError('-3', `image URL scheme ${url.protocol} is not http or https`);
  }
  return url;
}

function effectivePort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

function isAllowedHost(url: URL, allowed: readonly string[] | undefined): boolean {
  if (!allowed?.length) return false;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const hostPort = `${host}:${effectivePort(url)}`;
  return allowed.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e === host || e === hostPort;
  });
}

async function resolveTarget(url: URL, deps: ImageInputDeps, signal: AbortSignal): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = net.isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await abortable((deps.lookup ?? systemLookup)(host), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ImageInputError('-3', `cannot resolve ${host}: ${(error as Error).message}`);
    }
    if (addresses.length === 0) throw new ImageInputError('-3', `${host} resolves to no address`);
  }
  if (!isAllowedHost(url, deps.allowedImageHosts)) {
    for (const { address } of addresses) {
      const refusal = publicAddressError(address);
      if (refusal) throw new ImageInputError('-3', `${host} -> ${address}: ${refusal}`);
    }
  }
  return addresses[0]!;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** One GET to exactly `target`, whatever DNS would say now. */
function get(url: URL, target: ResolvedAddress, signal: AbortSignal, ca: ImageInputDeps['caCertificates']): Promise<http.IncomingMessage> {
  const pinned: net.LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: https.RequestOptions = {
    method: 'GET',
    hostname,
    port: effectivePort(url),
    path: `${url.pathname}${url.search}`,
    headers: { host: url.host, accept: 'image/*', 'user-agent': 'shiming-image-fetch/1' },
    lookup: pinned,
    agent: false, // no pooled sockets: every hop connects to its own checked address
    signal,
  };
  if (url.protocol === 'https:' && !net.isIP(hostname)) options.servername = hostname;
  if (url.protocol === 'https:' && ca) options.ca = ca;
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(options, resolve);
    request.on('error', reject);
    request.end();
  });
}

async function readBody(response: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw new ImageInputError('-2', `image URL declares ${declared} bytes, over ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      response.destroy();
      throw new ImageInputError('-2', `image URL body passed ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  if (!response.complete) throw new ImageInputError('-3', 'image URL body cut short');
  if (total === 0) throw new ImageInputError('-3', 'image URL returned an empty body');
  return Buffer.concat(chunks, total);
}
