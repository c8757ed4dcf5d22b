// Rows made by hand for the parsers' rules: a row whose characters are `text`, one per
// character, read surely, on one line (the steps and the line unused by those rules).
import type { Row } from '../../src/recognition/lines.ts';

export function textRow(text: string, v = 0): Row {
  const chars = [...text].map((char, i) => ({ char, cls: 1, prob: 0.99, t0: 2 * i, t1: 2 * i, line: 0 }));
  return { lines: [], v, h: 10, chars, text };
}
