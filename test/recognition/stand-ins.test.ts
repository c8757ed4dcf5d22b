// Names holding a character that stands in, surely, for one the model cannot produce
// (src/recognition/stand-ins.ts): the rule on its own, the table against the model's dictionary,
// and a whole card whose name holds 昪 (read as 昇 with probability ~0.96 by the model).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { doubtStandIns, STAND_IN_CONFIDENCE, type StandInTable } from '../../src/recognition/stand-ins.ts';
import { createRecognizer, type Recognizer } from '../../src/recognition/index.ts';
import { modelsDir } from '../../src/recognition/ocr/engine.ts';
import { renderFront } from '../../tools/gen-cards/card.ts';
import { makeIdentity } from '../../tools/gen-cards/identity.ts';
import { createRandom } from '../../tools/gen-cards/random.ts';

const table = JSON.parse(readFileSync(new URL('../../src/recognition/stand-ins.json', import.meta.url), 'utf8')) as StandInTable;

describe('stand-in characters in names', () => {
  it('holds only sure substitutions, of characters outside the model dictionary, by characters in it', () => {
    const dictionary = new Set(readFileSync(`${modelsDir()}/ppocr_keys_v1.txt`, 'utf8').split('\n'));
    const entries = Object.entries(table.standIns);
    assert.ok(entries.length > 50, `${entries.length} entries`);
    for (const [read, e] of entries) {
      assert.ok(dictionary.has(read), read);
      assert.ok(e.p >= 0.9 && e.p <= 1, `${read} ${e.p}`);
      for (const missing of e.for) assert.ok(!dictionary.has(missing), `${missing} is in the dictionary`);
    }
    assert.ok(table.standIns['昇']?.for.includes('昪'));
    assert.ok(table.standIns['璃']?.for.includes('瑀'));
  });

  it('doubts a given name holding a stand-in read no surer than the substitution', () => {
    const p = table.standIns['昇']!.p;
    assert.deepEqual(doubtStandIns({ value: '施慧昇', confidence: p - 0.03 }), { value: '施慧昇', confidence: STAND_IN_CONFIDENCE });
    assert.deepEqual(doubtStandIns({ value: '明璃', confidence: 0.96 }), { value: '明璃', confidence: STAND_IN_CONFIDENCE });
  });

  it('leaves alone: a sharper read, the surname, names without stand-ins, doubtful and empty names', () => {
    const p = table.standIns['昇']!.p;
    for (const field of [
      { value: '施慧昇', confidence: Math.min(1, p + 0.005) },
      { value: '昇明', confidence: 0.95 },
      { value: '王伟', confidence: 0.95 },
      { value: '施慧昇', confidence: 0.4 },
      { value: '', confidence: 0 },
    ]) {
      if (field.value === '王伟') assert.equal(table.standIns['伟'], undefined);
      assert.deepEqual(doubtStandIns(field), field, field.value);
    }
  });
});

describe('a card whose name holds 昪', () => {
  let rec: Recognizer;
  before(async () => { rec = await createRecognizer({ poolSize: 0 }); });
  after(async () => { await rec.close(); });

  it('reads the rest of the card and does not give the name with confidence', async () => {
    const rng = createRandom(20261130);
    const person = { ...makeIdentity(rng), name: '施慧昪', nation: '汉' };
    const { canvas } = renderFront(person, rng, 12);
    const r = await rec.read(Buffer.from(await canvas.encode('png')));
    assert.equal(r.side, 'front');
    assert.equal(r.front!.idCard.value, person.idCard);
    assert.notEqual(r.front!.name.value, '施慧昪'); // the model cannot produce 昪
    assert.ok(r.front!.name.confidence < 0.9, `${r.front!.name.value} ${r.front!.name.confidence}`);
  });
});
