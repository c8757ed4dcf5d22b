// Writes docs/seed-card.jpg: a synthetic card of the seed's sample identity (张三,
// 522229198509112018), for the README's curl example and the end-to-end test of the demo.
// Run: node --import tsx tools/seed-card.ts   (needs fonts-noto-cjk and fonts-ocr-b)
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { createCanvas } from '@napi-rs/canvas';
import { renderFront } from './gen-cards/card.ts';
import { createRandom } from './gen-cards/random.ts';
import type { Identity } from './gen-cards/identity.ts';

export const SEED_PERSON = {
  name: '张三',
  sex: '男',
  nation: '汉',
  birthday: '19850911',
  address: '贵州省松桃苗族自治县真旗屯村湾头组',
  idCard: '522229198509112018',
  authority: '松桃苗族自治县公安局',
  validity: '2005.03.01-2025.03.01',
} as const;

export async function seedCardJpeg(): Promise<Buffer> {
  const k = 11; // pixels per millimetre: the card is about 940 x 594
  const { canvas: card } = renderFront({ ...SEED_PERSON, region: undefined } as unknown as Identity, createRandom(20260101), k);
  const margin = 60;
  const frame = createCanvas(card.width + 2 * margin, card.height + 2 * margin);
  const ctx = frame.getContext('2d');
  ctx.fillStyle = 'rgb(96, 104, 112)';
  ctx.fillRect(0, 0, frame.width, frame.height);
  ctx.drawImage(card, margin, margin);
  return sharp(frame.toBuffer('image/png')).jpeg({ quality: 85 }).toBuffer();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = path.resolve(import.meta.dirname, '..', 'docs', 'seed-card.jpg');
  fs.writeFileSync(out, await seedCardJpeg());
  console.log(`wrote ${out}`);
}
