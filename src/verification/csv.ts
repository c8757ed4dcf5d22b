// Line splitting and field parsing for the registry CSV, over byte chunks, in bounded memory:
// a line longer than the limit is dropped as it streams (never buffered whole) and reported.

export type CsvLine =
  | { lineNo: number; text: string }
  | { lineNo: number; problem: 'line too long' | 'not valid UTF-8' };

const BOM = [0xef, 0xbb, 0xbf];
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Yields the lines of a byte stream in groups (one group per input chunk, so callers can await
 * between groups and the stream is paused meanwhile). Handles LF and CRLF, a UTF-8 BOM at the
 * start, and a last line without a newline.
 */
export async function* csvLines(input: AsyncIterable<Uint8Array | string>, maxLineBytes: number): AsyncGenerator<CsvLine[]> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;
  let lineNo = 0;

  const finish = (out: CsvLine[]): void => {
    lineNo++;
    if (tooLong) {
      out.push({ lineNo, problem: 'line too long' });
    } else {
      let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, partBytes);
      if (lineNo === 1 && bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2]) bytes = bytes.subarray(3);
      if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
      try {
        out.push({ lineNo, text: decoder.decode(bytes) });
      } catch {
        out.push({ lineNo, problem: 'not valid UTF-8' });
      }
    }
    parts = [];
    partBytes = 0;
    tooLong = false;
  };

  const take = (segment: Buffer): void => {
    if (tooLong || segment.length === 0) return;
    // +3 so a BOM on the first line does not count against it; +1 for a CR before the LF
    if (partBytes + segment.length > maxLineBytes + 4) {
      tooLong = true;
      parts = [];
      partBytes = 0;
      return;
    }
    // copy: the chunk may be a view into a pooled buffer the stream reuses
    parts.push(Buffer.from(segment));
    partBytes += segment.length;
  };

  for await (const raw of input) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: CsvLine[] = [];
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, pos);
      if (nl === -1) {
        take(chunk.subarray(pos));
        break;
      }
      take(chunk.subarray(pos, nl));
      finish(out);
      pos = nl + 1;
    }
    if (out.length) yield out;
  }
  if (partBytes > 0 || tooLong) {
    const out: CsvLine[] = [];
    finish(out);
    yield out;
  }
}

/**
 * Splits one CSV record (RFC 4180 quoting: `"a ""b"""`); fields are trimmed. Returns null for
 * unbalanced quotes. Records spanning lines are not supported (no field of ours holds a newline).
 */
export function splitCsvRecord(line: string): string[] | null {
  if (!line.includes('"')) return line.split(',').map((f) => f.trim());
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) return null;
        field += line.slice(i, q);
        if (line[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') return null;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      field = line.slice(i, end);
      if (field.includes('"')) return null;
      i = end;
    }
    fields.push(field.trim());
    if (i >= line.length) return fields;
    i++; // past the comma
  }
}
