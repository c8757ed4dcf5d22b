// Hostile images are judged before any pixel is decoded, so a stream of them costs no memory to
// speak of: a header claiming 60000 x 60000 (10.8 GB of RGB) must never be allocated, and a
// truncated 4000 x 4000 JPEG must fail in the decoder's bounded buffers. Checked through HTTP
// with the real decoder behind a recognizer that decodes what it is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.ts';
import { form, jpegOf, pngHeaderClaiming } from './images.ts';
import { decodeImage } from '../../src/recognition/image.ts';
import type { Recognizer } from '../../src/recognition/index.ts';

const decodingRecognizer: Recognizer = {
  async read(image) {
    await decodeImage(image); // the engine's first step: throws ImageRejected on bad bytes
    return { side: 'none', timings: {} };
  },
  queueLength: () => 0,
  async close() {},
};

test('75 hostile images in a row: each answered with its code, and memory levels off', async () => {
  const h = await startHarness({ recognizer: decodingRecognizer });
  try {
    const bomb = pngHeaderClaiming(60000, 60000).toString('base64');
    const big = await jpegOf(4000, 4000);
    const truncated = big.subarray(0, Math.floor(big.length / 2)).toString('base64');
    const junk = 'A'.repeat(1000) + '!@#$%^&*()'.repeat(200_000); // 2 MB that is not base64 (6 MB form-encoded)
    const cases: Array<[string, string]> = [['-2', bomb], ['-3', truncated], ['-2', junk]];
    const post = (image: string) => h.app.inject({ method: 'POST', url: '/OcridCard', ...form({ image }) });
    // Warm up, then take the plateau: memory a hostile request costs must come back (the heap,
    // sharp's and the allocator's pools fill once), so the second half of the run must not grow.
    for (let i = 0; i < 5; i++) for (const [, image] of cases) await post(image);
    const rssAfter: number[] = [];
    for (let i = 0; i < 20; i++) {
      for (const [code, image] of cases) {
        const res = await post(image);
        assert.equal(res.statusCode, 200);
        assert.equal(res.json().code, code);
      }
      rssAfter.push(process.memoryUsage().rss);
    }
    const mb = (n: number) => n / 1024 / 1024;
    // A leak raises the floor the samples come back to; the route's full collections while
    // images arrive (image-garbage.ts) make the samples a sawtooth above it, so the floors of the
    // two halves are compared, not their peaks (the peak is bounded below).
    const firstHalfFloor = Math.min(...rssAfter.slice(0, 10));
    const secondHalfFloor = Math.min(...rssAfter.slice(10));
    assert.ok(mb(secondHalfFloor - firstHalfFloor) < 64, `RSS kept growing: ${rssAfter.map((r) => mb(r).toFixed(0)).join(' ')} MB`);
    // and nothing near the 10.8 GB the 60000 x 60000 header claims was ever allocated
    assert.ok(mb(Math.max(...rssAfter)) < 1500, `RSS peaked at ${mb(Math.max(...rssAfter)).toFixed(0)} MB`);
    const health = await h.app.inject({ url: '/healthz' });
    assert.equal(health.statusCode, 200);
  } finally {
    await h.close();
  }
});
