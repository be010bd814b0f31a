/**
 * Raw JSON token access: the exact source text of a top-level member of a JSON object, for the values
 * JSON.parse cannot represent exactly (integers beyond 2^53, decimals with trailing zeros). Stateless.
 * Invariant: only called on text JSON.parse already accepted; like JSON.parse, the last duplicate key wins.
 */

function skipWs(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else return i;
  }
}

/** Index just past the string literal starting at `i` (which is a '"'). */
function skipString(s: string, i: number): number {
  i++;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92) i += 2;
    else if (Number.isNaN(c)) return i;
    else i++;
  }
}

/** Index just past the JSON value starting at `i`. */
function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 34) return skipString(s, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (;;) {
      const d = s.charCodeAt(i);
      if (Number.isNaN(d)) return i;
      if (d === 34) {
        i = skipString(s, i);
        continue;
      }
      if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
  }
  for (;;) {
    const d = s.charCodeAt(i);
    if (Number.isNaN(d) || d === 44 || d === 125 || d === 93 || d === 32 || d === 9 || d === 10 || d === 13) return i;
    i++;
  }
}

/** The source text of member `key` of the top-level object in `text`, or undefined when absent. */
export function rawTopLevelMember(text: string, key: string): string | undefined {
  let i = skipWs(text, 0);
  if (text.charCodeAt(i) !== 123) return undefined;
  i = skipWs(text, i + 1);
  let found: string | undefined;
  while (i < text.length && text.charCodeAt(i) === 34) {
    const keyStart = i;
    i = skipString(text, i);
    const rawKey = text.slice(keyStart + 1, i - 1);
    const name = rawKey.includes('\\') ? (JSON.parse(text.slice(keyStart, i)) as string) : rawKey;
    i = skipWs(text, i);
    i = skipWs(text, i + 1); // past ':'
    const valueStart = i;
    i = skipValue(text, i);
    if (name === key) found = text.slice(valueStart, i);
    i = skipWs(text, i);
    if (text.charCodeAt(i) !== 44) break;
    i = skipWs(text, i + 1);
  }
  return found;
}
