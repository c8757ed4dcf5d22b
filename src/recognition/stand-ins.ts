// Characters the recogniser reads, surely, in place of characters it cannot produce.
//
// The model's dictionary lacks 1,497 of the 1,605 level-3 characters of the 通用规范汉字表 (the
// level of characters kept for names and places), and for some it reads a look-alike with as
// much certainty as a real one: 昪 as 昇 (0.99), 瑀 as 璃 (0.99). Neither the read's probability
// nor a second look (pipeline.ts rereadLines) tells those apart, so a name holding such a stand-in
// may be wrong where nothing else would show it. stand-ins.json, written by
// tools/build-stand-ins/build.ts from Unihan and the model, lists for each character the model
// produces the missing characters it read as it with probability ≥ 0.9, and the highest
// probability it gave such a read.
//
// Used for names only: a character of the given name (after the first, the surname, which comes
// from a short list the dictionary holds) that stands in for one, in a name read no more surely
// than that substitution was, leaves the name at STAND_IN_CONFIDENCE — likely right, not certain.
// Measured on the reads of the bench's in-dictionary fronts (`npm run bench:ocr` results at
// af17e30, 477 read as fronts): both confidently wrong rare-character names are caught, and 13
// right names (2.7 %) drop below 0.9.
// Addresses are left alone: place-name look-alikes (垈 read as 华) would doubt most addresses,
// and an address's region start is checked against the GB/T 2260 table instead.
import fs from 'node:fs';
import type { ReadField } from './types.ts';

export interface StandInTable {
  $comment: string;
  source: string;
  /** character read -> the missing characters read as it, and the highest probability seen */
  standIns: Record<string, { for: string; p: number }>;
}

export const STAND_IN_CONFIDENCE = 0.85;

let standIns: Map<string, number> | undefined;
function table(): Map<string, number> {
  if (!standIns) {
    const t = JSON.parse(fs.readFileSync(new URL('./stand-ins.json', import.meta.url), 'utf8')) as StandInTable;
    standIns = new Map(Object.entries(t.standIns).map(([c, e]) => [c, e.p]));
  }
  return standIns;
}

/** The name, with its confidence lowered when a given-name character may be a stand-in. */
export function doubtStandIns(name: ReadField): ReadField {
  if (!name.value || name.confidence <= STAND_IN_CONFIDENCE) return name;
  const given = [...name.value].slice(1);
  const doubtful = given.some((c) => {
    const p = table().get(c);
    return p !== undefined && name.confidence <= p;
  });
  return doubtful ? { ...name, confidence: STAND_IN_CONFIDENCE } : name;
}
