import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import {
  decodeBase64Image,
  IMAGE_FETCH_TIMEOUT_MS,
  IMAGE_MAX_BYTES,
  ImageInputError,
  isPublicAddress,
  readImageValue,
  type HostLookup,
} from '../../src/http/image-input.ts';

async function refused(promise: Promise<unknown>, code: '-1' | '-2' | '-3', reason?: RegExp): Promise<ImageInputError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ImageInputError, `expected ImageInputError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.reason);
  if (reason) assert.match(caught.reason, reason);
  return caught;
}

const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#12ab34' } }).png().toBuffer();

describe('base64 values', () => {
  test('missing, null and empty values are -1', async () => {
    for (const value of [undefined, null, '', '   \n\t ', 'data:image/png;base64,', 'data:image/jpeg;base64,\r\n', Buffer.alloc(0)]) {
      await refused(readImageValue(value), '-1');
    }
  });

  test('plain base64 decodes to the exact bytes', async () => {
    assert.deepEqual(await readImageValue(png.toString('base64')), png);
  });

  test('a data URL prefix, line breaks and surrounding space are tolerated', async () => {
    const b64 = png.toString('base64');
    const wrapped = b64.replace(/.{76}/g, '$&\r\n');
    assert.deepEqual(await readImageValue(`data:image/png;base64,${b64}`), png);
    assert.deepEqual(await readImageValue(`  DATA:image/jpeg;BASE64,${wrapped}\n`), png);
    assert.deepEqual(await readImageValue(wrapped), png);
  });

  test('the URL-safe alphabet and missing padding are tolerated', async () => {
    // bytes chosen so the encoding holds '+', '/' and padding
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0xfe, 0x3e, 0x01, 0x02]);
    const std = bytes.toString('base64');
    assert.match(std, /[+/]/);
    assert.match(std, /=$/);
    assert.deepEqual(await readImageValue(bytes.toString('base64url')), bytes);
    assert.deepEqual(await readImageValue(std.replace(/=+$/, '')), bytes);
  });

  test("'+' turned into spaces by an unescaped form post is repaired", async () => {
    const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256));
    const std = bytes.toString('base64');
    assert.ok(std.includes('+'));
    assert.deepEqual(await readImageValue(std.replaceAll('+', ' ')), bytes);
  });

  test('junk characters are -2', async () => {
    const b64 = png.toString('base64');
    for (const junk of [`${b64.slice(0, 40)}*${b64.slice(40)}`, 'not an image at all!', '你好世界', `${b64}=*`, '====', 'abcde', 'data:image/png,rawbytes']) {
      await refused(readImageValue(junk), '-2');
    }
  });

  test('a value that is neither string nor bytes is -2', async () => {
    for (const value of [42, ['a', 'b'], { image: 'x' }, true]) await refused(readImageValue(value), '-2');
  });

  test('over 4 MB decoded is -2, judged from the length alone; exactly 4 MB passes', async () => {
    assert.equal(IMAGE_MAX_BYTES, 4 * 1024 * 1024);
    const exact = Buffer.alloc(IMAGE_MAX_BYTES, 7);
    assert.equal((await readImageValue(exact.toString('base64'))).length, IMAGE_MAX_BYTES);
    await refused(readImageValue(Buffer.alloc(IMAGE_MAX_BYTES + 1, 7).toString('base64')), '-2', /4194305 bytes/);
    await refused(readImageValue(Buffer.alloc(IMAGE_MAX_BYTES + 1)), '-2');
    // 'A' * n is valid base64; the size check refuses it without decoding 15 MB of it
    assert.throws(() => decodeBase64Image('A'.repeat(20_000_000)), (e: unknown) => e instanceof ImageInputError && e.code === '-2');
    await refused(readImageValue(`data:image/png;base64,${'A'.repeat(6_000_000)}`), '-2');
  });

  test('raw bytes (a multipart file) pass through', async () => {
    assert.equal(await readImageValue(png), png);
  });
});

describe('addresses', () => {
  test('private, loopback, link-local, CGNAT, multicast and their IPv6 forms are refused', () => {
    const refusedAddresses = [
      '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1',
      '100.127.255.254', '169.254.169.254', '0.0.0.0', '0.1.2.3', '224.0.0.1', '239.1.1.1', '255.255.255.255',
      '198.18.0.1', '192.0.2.5', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1',
      '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe',
      '2002:c0a8:0101::1', '2001:db8::1', '::127.0.0.1',
    ];
    for (const address of refusedAddresses) assert.equal(isPublicAddress(address), false, address);
  });

  test('public unicast addresses pass', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.1', '172.15.255.255', '172.32.0.1',
      '169.253.0.1', '223.255.255.254', '2400:3200::1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808',
      '2002:0808:0808::1']) {
      assert.equal(isPublicAddress(address), true, address);
    }
  });
});

describe('URL values', () => {
  let server: http.Server;
  let port = 0;
  let base = '';
  const hits: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      hits.push(url.pathname);
      const hop = url.pathname.match(/^\/hop\/(\d+)$/);
      if (hop) {
        const n = Number(hop[1]);
        if (n === 0) return res.writeHead(200, { 'content-type': 'image/png' }).end(png);
        return res.writeHead(302, { location: `/hop/${n - 1}` }).end();
      }
      switch (url.pathname) {
        case '/img':
          return res.writeHead(200, { 'content-type': 'image/png' }).end(png);
        case '/to':
          return res.writeHead(307, { location: url.searchParams.get('url')! }).end();
        case '/slow': // headers, a little body, then nothing
          res.writeHead(200, { 'content-type': 'image/png' });
          return void res.write(png.subarray(0, 10));
        case '/stall': // not even headers
          return;
        case '/big': { // chunked, no length: only the running count can stop it
          res.writeHead(200, { 'content-type': 'image/png' });
          const chunk = Buffer.alloc(64 * 1024, 1);
          let sent = 0;
          const pump = () => {
            while (sent < 8 * 1024 * 1024) {
              sent += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end();
          };
          res.on('close', () => { sent = Infinity; });
          return pump();
        }
        case '/declared':
          res.writeHead(200, { 'content-length': String(IMAGE_MAX_BYTES + 1) });
          return void res.write(png);
        case '/cut':
          res.writeHead(200, { 'content-length': String(png.length) });
          res.write(png.subarray(0, 20));
          return void setTimeout(() => res.destroy(), 20);
        case '/missing':
          return res.writeHead(404).end('no');
        default:
          return res.writeHead(500).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const allowLocal = () => ({ allowedImageHosts: [`127.0.0.1:${port}`] });
  /** a resolver that knows only `names`, so nothing here depends on the machine's DNS */
  const fakeDns = (names: Record<string, string[]>): HostLookup => async (hostname) => {
    const addresses = names[hostname];
    if (!addresses) throw new Error(`ENOTFOUND ${hostname}`);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  test('the default timeout is 5 s', () => {
    assert.equal(IMAGE_FETCH_TIMEOUT_MS, 5000);
  });

  test('an allow-listed host is fetched', async () => {
    assert.deepEqual(await readImageValue(`${base}/img`, allowLocal()), png);
  });

  test('loopback without the allow-list is -3 and never contacted', async () => {
    hits.length = 0;
    await refused(readImageValue(`${base}/img`), '-3', /loopback/);
    await refused(readImageValue(`http://[::ffff:127.0.0.1]:${port}/img`), '-3', /IPv4-mapped loopback/);
    await refused(readImageValue(`http://2130706433:${port}/img`), '-3', /loopback/); // 127.0.0.1 as one number
    await refused(readImageValue(`${base}/img`, { allowedImageHosts: ['127.0.0.1:1'] }), '-3'); // other port
    assert.deepEqual(hits, []);
  });

  test('a hostname that resolves to 127.0.0.1 is -3; allow-listed, it is fetched from the pinned address', async () => {
    hits.length = 0;
    const lookup = fakeDns({ 'images.example.test': ['127.0.0.1'], 'mixed.example.test': ['93.184.216.34', '127.0.0.1'] });
    await refused(readImageValue(`http://images.example.test:${port}/img`, { lookup }), '-3', /loopback/);
    await refused(readImageValue(`http://mixed.example.test:${port}/img`, { lookup }), '-3', /loopback/);
    await refused(readImageValue(`http://nowhere.example.test:${port}/img`, { lookup }), '-3', /cannot resolve/);
    await refused(readImageValue(`http://localhost:${port}/img`), '-3', /loopback/); // the system resolver
    assert.deepEqual(hits, []);
    const allowed = { lookup, allowedImageHosts: [`images.example.test:${port}`] };
    assert.deepEqual(await readImageValue(`http://images.example.test:${port}/img`, allowed), png);
    assert.deepEqual(await readImageValue(`http://Images.Example.Test:${port}/img`, { lookup, allowedImageHosts: ['images.example.test'] }), png);
  });

  test('redirects: 3 are followed, a 4th is -3', async () => {
    hits.length = 0;
    assert.deepEqual(await readImageValue(`${base}/hop/3`, allowLocal()), png);
    assert.deepEqual(hits, ['/hop/3', '/hop/2', '/hop/1', '/hop/0']);
    hits.length = 0;
    await refused(readImageValue(`${base}/hop/4`, allowLocal()), '-3', /more than 3 redirects/);
    assert.deepEqual(hits, ['/hop/4', '/hop/3', '/hop/2', '/hop/1']);
  });

  test('a redirect to a private address is -3 and the target is never contacted', async () => {
    const lookup = fakeDns({ 'internal.example.test': ['127.0.0.1'] });
    for (const target of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', `http://internal.example.test:${port}/img`, `http://[::1]:${port}/img`]) {
      hits.length = 0;
      await refused(readImageValue(`${base}/to?url=${encodeURIComponent(target)}`, { ...allowLocal(), lookup }), '-3');
      assert.deepEqual(hits, ['/to']);
    }
  });

  test('a redirect to a non-http scheme is -3', async () => {
    await refused(readImageValue(`${base}/to?url=${encodeURIComponent('file:///etc/passwd')}`, allowLocal()), '-3', /scheme file:/);
  });

  test('non-http schemes are -3', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/a.png', 'gopher://example.com/1', 'javascript:alert(1)', 'FILE:///x']) {
      await refused(readImageValue(url), '-3', /scheme/);
    }
  });

  test('a server that stalls hits the timeout: -3', async () => {
    for (const path of ['/slow', '/stall']) {
      const started = Date.now();
      await refused(readImageValue(`${base}${path}`, { ...allowLocal(), timeoutMs: 300 }), '-3', /timed out after 300 ms/);
      assert.ok(Date.now() - started < 4000);
    }
  });

  test('a body past 4 MB is aborted while streaming: -2', async () => {
    await refused(readImageValue(`${base}/big`, allowLocal()), '-2', /passed 4194304 bytes/);
    await refused(readImageValue(`${base}/big`, { ...allowLocal(), maxBytes: 100_000 }), '-2', /passed 100000 bytes/);
    await refused(readImageValue(`${base}/declared`, allowLocal()), '-2', /declares/);
  });

  test('an HTTP error, a body cut short or a refused connection is -3', async () => {
    await refused(readImageValue(`${base}/missing`, allowLocal()), '-3', /HTTP 404/);
    await refused(readImageValue(`${base}/cut`, allowLocal()), '-3');
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await refused(readImageValue(`http://127.0.0.1:${closedPort}/img`, { allowedImageHosts: ['127.0.0.1'] }), '-3', /cannot be fetched/);
  });

  test('one lookup per hop: the socket goes to the address that was checked, not a later answer', async () => {
    let calls = 0;
    const rebinding: HostLookup = async () => {
      calls += 1;
      return [{ address: calls === 1 ? '127.0.0.1' : '10.255.255.1', family: 4 }];
    };
    const deps = { lookup: rebinding, allowedImageHosts: ['rebind.example.test'], timeoutMs: 2000 };
    assert.deepEqual(await readImageValue(`http://rebind.example.test:${port}/img`, deps), png);
    assert.equal(calls, 1);
  });

  test('https: the certificate is verified for the URL hostname while connecting to the pinned address', async () => {
    const fixtures = new URL('./fixtures/', import.meta.url);
    const cert = fs.readFileSync(new URL('image-input-tls.cert.pem', fixtures));
    const key = fs.readFileSync(new URL('image-input-tls.key.pem', fixtures));
    const tls = https.createServer({ key, cert }, (_req, res) => res.writeHead(200).end(png));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const tlsPort = (tls.address() as AddressInfo).port;
    try {
      const lookup = fakeDns({ 'images.example.test': ['127.0.0.1'] });
      const allowed = ['images.example.test', '127.0.0.1'];
      const url = `https://images.example.test:${tlsPort}/img`;
      assert.deepEqual(await readImageValue(url, { lookup, allowedImageHosts: allowed, caCertificates: cert }), png);
      await refused(readImageValue(url, { lookup, allowedImageHosts: allowed }), '-3', /certificate/);
      await refused(readImageValue(`https://127.0.0.1:${tlsPort}/img`, { allowedImageHosts: allowed, caCertificates: cert }), '-3', /altnames|IP/);
      await refused(readImageValue(url, { lookup, caCertificates: cert }), '-3', /loopback/);
    } finally {
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
    }
  });

  test('the server keeps serving after all of the above', async () => {
    assert.deepEqual(await readImageValue(`${base}/img`, allowLocal()), png);
  });
});
