// JSON bodies are parsed only after a linear scan proves their nesting is shallow: a body of
// a million `[` would otherwise cost deep recursion in whatever walks the parsed value.

export class JsonTooDeep extends Error {
  constructor(readonly limit: number) {
    super(`JSON nested deeper than ${limit} levels`);
    this.name = 'JsonTooDeep';
  }
}

/** Parses `text`, refusing nesting deeper than `maxDepth`; `__proto__` keys are dropped. */
export function parseJsonWithDepthLimit(text: string, maxDepth: number): unknown {
  if (text.trim() === '') return undefined;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) throw new JsonTooDeep(maxDepth);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return JSON.parse(text, (key, value: unknown) => (key === '__proto__' || key === 'constructor' ? undefined : value));
}
