// `npm run gen:cards`: writes the images and one truth line per image, naming the files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

test('the CLI writes NNNN-<side>.<ext> files and truth.jsonl describing them', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-cards-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/gen-cards/cli.ts', '--seed', '11', '--count', '3', '--backs', '0', '--negatives', '1', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = fs.readFileSync(path.join(out, 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    for (const [i, t] of lines.entries()) {
      assert.match(t.file, new RegExp(`^000${i}-none\\.(jpg|png|bmp)$`));
      assert.equal(t.side, 'none');
      assert.ok(fs.statSync(path.join(out, t.file)).size > 0);
    }
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'tools/gen-cards/cli.ts', '--count', 'x', '--out', out], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
