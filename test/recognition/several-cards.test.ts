// A page holding both sides of a card (the photocopy people send as 身份证正反面复印件): the front
// is read, and nothing of the back leaks into its fields. The pages are composed here from
// committed fixtures; nothing is written to disk.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { CARDS_DIR, fixtureCard } from '../support/cards.ts';
import { decodeImage } from '../../src/recognition/image.ts';
import { loadModels, releaseModels, type OcrModels } from '../../src/recognition/ocr/engine.ts';
import { readCard } from '../../src/recognition/pipeline.ts';
import { oneCard } from '../../src/recognition/several-cards.ts';
import { groupsApart } from '../../src/recognition/text-groups.ts';
import type { Row, TextLine } from '../../src/recognition/lines.ts';
import type { CardSide, FrontFields } from '../../src/recognition/types.ts';


/** The two images on a white page, at `at` (left, top) each, as a JPEG like a scanner's. */
async function page(width: number, height: number, parts: Array<{ file: string; left: number; top: number }>): Promise<Buffer> {
  const inputs = await Promise.all(parts.map(async (p) => ({
    input: await sharp(CARDS_DIR + p.file).resize({ width: 900 }).toBuffer(),
    left: p.left,
    top: p.top,
  })));
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(inputs).jpeg({ quality: 85 }).toBuffer();
}

describe('a page with both sides of a card', () => {
  let models: OcrModels;
  before(async () => {
    models = await loadModels();
  });
  after(async () => {
    await releaseModels(models);
  });

  const layouts = [
    { name: 'front left, back right', width: 1960, height: 800, front: { left: 40, top: 100 }, back: { left: 1020, top: 100 } },
    { name: 'back left, front right', width: 1960, height: 800, back: { left: 40, top: 110 }, front: { left: 1020, top: 90 } },
    { name: 'front above back (A4)', width: 1240, height: 1754, front: { left: 170, top: 200 }, back: { left: 170, top: 900 } },
  ];
  for (const l of layouts) {
    it(`${l.name}: the front's fields, none of the back's text`, async () => {
      for (const file of ['front-clean-1.jpg', 'front-clean-minority.jpg']) {
        const bytes = await page(l.width, l.height, [{ file, ...l.front }, { file: 'back-clean.jpg', ...l.back }]);
        const result = await readCard(models, await decodeImage(bytes));
        assert.equal(result.side, 'front', `${file}, ${l.name}`);
        const want = fixtureCard(file).t.front!;
        for (const [field, value] of Object.entries(want)) {
          assert.equal(result.front![field as keyof FrontFields].value, value, `${file}, ${l.name}: ${field}`);
        }
        // the corners found are the front's: within the front's place on the page
        const xs = result.quad!.map(([x]) => x);
        assert.ok(Math.min(...xs) >= l.front.left - 60 && Math.max(...xs) <= l.front.left + 960, `quad ${JSON.stringify(result.quad)}`);
      }
    });
  }
});

describe('a card photographed beside a printed page', () => {
  let models: OcrModels;
  before(async () => {
    models = await loadModels();
  });
  after(async () => {
    await releaseModels(models);
  });

  /** The card (900 px wide) and the page (1000 px high) side by side on white. */
  async function beside(card: string, doc: string, cardFirst: boolean): Promise<Buffer> {
    const page = await sharp(CARDS_DIR + doc).resize({ height: 1000 }).toBuffer();
    const pageWidth = (await sharp(page).metadata()).width!;
    const cardLeft = cardFirst ? 40 : pageWidth + 80;
    return sharp({ create: { width: 900 + pageWidth + 120, height: 1000, channels: 3, background: '#ffffff' } })
      .composite([
        { input: await sharp(CARDS_DIR + card).resize({ width: 900 }).toBuffer(), left: cardLeft, top: 200 },
        { input: page, left: cardFirst ? 980 : 0, top: 0 },
      ])
      .jpeg({ quality: 85 })
      .toBuffer();
  }

  // before: the page's lines ran into the address (0.03), or the card was not seen at all
  // (the row starts read were the page's), or the card's lines, twice the page's height, were
  // split in two as if each were two lines
  for (const [card, doc] of [['front-clean-1.jpg', 'none-document.jpg'], ['front-clean-minority.jpg', 'none-document-scan.jpg']] as const) {
    for (const cardFirst of [true, false]) {
      it(`${card} ${cardFirst ? 'left of' : 'right of'} ${doc}: the card's fields only`, async () => {
        const result = await readCard(models, await decodeImage(await beside(card, doc, cardFirst)));
        assert.equal(result.side, 'front');
        for (const [field, value] of Object.entries(fixtureCard(card).t.front!)) {
          assert.equal(result.front![field as keyof FrontFields].value, value, field);
        }
      });
    }
  }

  it('a back beside a page is read as a back', async () => {
    for (const cardFirst of [true, false]) {
      const result = await readCard(models, await decodeImage(await beside('back-clean.jpg', 'none-document.jpg', cardFirst)));
      assert.equal(result.side, 'back', cardFirst ? 'left' : 'right');
      assert.equal(result.back?.authority.value, '白银市公安局平川分局');
    }
  });
});

describe('groups of text that lie apart', () => {
  const line = (u: number, v: number, w: number, text: string): TextLine => ({
    box: { cx: u, cy: v, w, h: 20, angle: 0, u, v, score: 1 },
    probs: { probs: new Float32Array(0), steps: 1, classes: 1 },
    text: { text, chars: [], confidence: 1 },
  });
  // a side is decided from the text here: '正' lines make a front, '反' a back
  const decide = (rows: Row[]): CardSide => {
    const all = rows.flatMap((r) => r.lines.map((l) => l.text.text)).join('');
    const front = all.split('正').length - 1, back = all.split('反').length - 1;
    return front >= 2 ? 'front' : back >= 2 ? 'back' : 'none';
  };
  const card = (u0: number, v0: number, mark: string) => [0, 1, 2, 3].map((i) => line(u0 + 100, v0 + i * 40, 200, mark));

  it('two cards side by side: two groups, and the front is the one read', () => {
    const lines = [...card(0, 0, '反'), ...card(700, 0, '正')];
    assert.equal(groupsApart(lines, (l) => l.box).length, 2);
    const one = oneCard(lines, decide);
    assert.equal(one.side, 'front');
    assert.deepEqual(one.lines.map((l) => l.text.text), ['正', '正', '正', '正']);
  });

  it('one card with a gap where lines were missed is never cut in two', () => {
    // four lines, then a gap of 7 line heights, then two more: the halves are apart, but the
    // second does not make a side on its own, so every line stays
    const lines = [...card(0, 0, '正'), line(100, 300, 200, '正'), line(100, 340, 200, 'x')];
    assert.equal(groupsApart(lines, (l) => l.box).length, 2);
    const one = oneCard(lines, decide);
    assert.equal(one.lines.length, 6);
    assert.equal(one.side, 'front');
  });

  it('lines of one card, however placed in rows, stay one group', () => {
    const lines = [line(60, 0, 80, '正'), line(260, 0, 200, '正'), line(60, 40, 80, '反'), line(200, 40, 40, '反'), line(300, 40, 60, '反')];
    assert.equal(groupsApart(lines, (l) => l.box).length, 1);
    assert.equal(oneCard(lines, decide).lines.length, 5);
  });
});
