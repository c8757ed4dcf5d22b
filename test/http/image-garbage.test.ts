// The main thread's full collections while images arrive (image-garbage.ts): one per interval
// when enough image bytes came in, none for small or no traffic, and the timer stops when images
// stop. A fake gc() counts the collections; one test checks V8's own gc() is reachable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exposedGc, imageGarbage } from '../../src/http/image-garbage.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a full collection per interval while enough image bytes arrive, none for a trickle', async () => {
  let calls = 0;
  const g = imageGarbage({ gc: () => calls++, intervalMs: 20, minBytes: 1000 });
  try {
    g.received(600);
    await sleep(35);
    assert.equal(calls, 0, 'under the threshold: no pause');
    g.received(600);
    await sleep(30);
    assert.equal(calls, 1, 'past the threshold: one collection at the next tick');
    await sleep(60);
    assert.equal(calls, 1, 'nothing new: no more collections');
    g.received(5000);
    await sleep(30);
    assert.equal(calls, 2, 'the timer starts again with the next image');
    assert.equal(g.collections(), 2);
  } finally {
    g.close();
  }
});

test('empty, negative and non-numeric sizes count for nothing', async () => {
  let calls = 0;
  const g = imageGarbage({ gc: () => calls++, intervalMs: 10, minBytes: 1 });
  try {
    for (const n of [0, -5, Number.NaN]) g.received(n);
    await sleep(30);
    assert.equal(calls, 0);
  } finally {
    g.close();
  }
});

test("V8's gc() is exposed to the module and runs", () => {
  const gc = exposedGc();
  assert.equal(typeof gc, 'function');
  gc!();
});
