// The worker pool's engine options: ONNX Runtime intra-op threads per worker. A worker with two
// intra-op threads must read the same card as one with one (same fields, same corners), both in
// a worker thread and in the calling thread.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRecognizer, type Recognizer } from '../../src/recognition/index.ts';

const DIR = fileURLToPath(new URL('../fixtures/cards/', import.meta.url));
interface Truth {
  file: string;
  front?: Record<string, string>;
  quad: [number, number][];
}
const truth: Truth[] = JSON.parse(readFileSync(DIR + 'truth.json', 'utf8'));

describe('recognizer threads option', () => {
  let one: Recognizer;
  let two: Recognizer;
  let twoInThread: Recognizer;
  before(async () => {
    [one, two, twoInThread] = await Promise.all([
      createRecognizer({ poolSize: 1, threads: 1 }),
      createRecognizer({ poolSize: 1, threads: 2 }),
      createRecognizer({ poolSize: 0, threads: 2 }),
    ]);
  });
  after(async () => {
    await Promise.all([one?.close(), two?.close(), twoInThread?.close()]);
  });

  it('reads the same fields and corners with 1 or 2 intra-op threads', async () => {
    for (const file of ['front-clean-1.jpg', 'front-exif-6.jpg']) {
      const t = truth.find((x) => x.file === file);
      assert.ok(t?.front, `fixture ${file}`);
      const bytes = readFileSync(DIR + file);
      const [a, b, c] = await Promise.all([one.read(bytes), two.read(bytes), twoInThread.read(bytes)]);
      for (const r of [a, b, c]) {
        assert.equal(r.side, 'front', file);
        for (const key of ['name', 'sex', 'nation', 'birthday', 'address', 'idCard'] as const) {
          assert.equal(r.front?.[key]?.value, t.front[key], `${file} ${key}`);
        }
        assert.ok(r.quad, `${file} quad`);
        // corners in the original image's pixels, after EXIF, within a few pixels of the truth
        for (const [i, [x, y]] of r.quad.entries()) {
          const near = t.quad.some(([tx, ty]) => Math.hypot(tx - x, ty - y) < 0.05 * Math.max(...t.quad.map((q) => q[0])));
          assert.ok(near, `${file} corner ${i} (${x}, ${y}) not near the truth ${JSON.stringify(t.quad)}`);
        }
      }
      assert.deepEqual(b.quad, a.quad, `${file}: same corners with 2 threads`);
    }
  });
});
