// The committed fixture cards (test/fixtures/cards, made by tools/gen-cards) and their truth.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CARDS_DIR = fileURLToPath(new URL('../fixtures/cards/', import.meta.url));

export interface CardTruth {
  file: string;
  side: 'front' | 'back' | 'none';
  front?: Record<string, string>;
  back?: Record<string, string>;
  missingChars: string[];
  /** the card's corners TL, TR, BR, BL in the image's pixels, and its top edge's length */
  quad?: [number, number][];
  cardWidthPx?: number;
}

const truth: CardTruth[] = JSON.parse(readFileSync(CARDS_DIR + 'truth.json', 'utf8'));

/** A fixture's truth and bytes; fails the test when truth.json does not list it. */
export function fixtureCard(file: string): { t: CardTruth; bytes: Buffer } {
  const t = truth.find((x) => x.file === file);
  assert.ok(t, `fixture ${file} in truth.json`);
  return { t, bytes: readFileSync(CARDS_DIR + file) };
}
