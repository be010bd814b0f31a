/**
 * A small SQL tokenizer: enough to split statement strings and to parse sluice's extensions
 * (CREATE SOURCE/SINK … WITH (…) FORMAT … ENCODE …, FLUSH, DESCRIBE). PostgreSQL statements themselves are
 * parsed by libpg-query; this lexer only needs to agree with it on where tokens and statements end.
 * Invariant: token offsets are 0-based character offsets into the original text.
 */

export type TokenKind = 'ident' | 'quoted_ident' | 'string' | 'number' | 'op' | 'punct' | 'param';

export interface Token {
  kind: TokenKind;
  /** Identifier text lower-cased (unquoted) or as written (quoted); string literal contents unescaped. */
  value: string;
  start: number;
  end: number;
}

export class LexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const OP_CHARS = '+-*/<>=~!@#%^&|`?';

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) throw new LexError('unterminated /* comment', i);
      continue;
    }
    const start = i;
    if (c === "'" || ((c === 'E' || c === 'e') && text[i + 1] === "'")) {
      const escapes = c !== "'";
      i += escapes ? 2 : 1;
      let value = '';
      for (;;) {
        if (i >= n) throw new LexError('unterminated quoted string', start);
        const ch = text[i]!;
        if (ch === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (escapes && ch === '\\' && i + 1 < n) {
          const e = text[i + 1]!;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      tokens.push({ kind: 'string', value, start, end: i });
      continue;
    }
    if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      if (m) {
        const tag = m[0];
        const close = text.indexOf(tag, i + tag.length);
        if (close < 0) throw new LexError('unterminated dollar-quoted string', start);
        tokens.push({ kind: 'string', value: text.slice(i + tag.length, close), start, end: close + tag.length });
        i = close + tag.length;
        continue;
      }
      const p = /^\$(\d+)/.exec(text.slice(i));
      if (p) {
        i += p[0].length;
        tokens.push({ kind: 'param', value: p[1]!, start, end: i });
        continue;
      }
    }
    if (c === '"') {
      i++;
      let value = '';
      for (;;) {
        if (i >= n) throw new LexError('unterminated quoted identifier', start);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ kind: 'quoted_ident', value, start, end: i });
      continue;
    }
    if (IDENT_START.test(c)) {
      while (i < n && IDENT_PART.test(text[i]!)) i++;
      tokens.push({ kind: 'ident', value: text.slice(start, i).toLowerCase(), start, end: i });
      continue;
    }
    if ((c >= '0' && c <= '9') || (c === '.' && text[i + 1] !== undefined && text[i + 1]! >= '0' && text[i + 1]! <= '9')) {
      while (i < n && /[0-9.]/.test(text[i]!)) i++;
      if (i < n && (text[i] === 'e' || text[i] === 'E') && /[-+0-9]/.test(text[i + 1] ?? '')) {
        i += 2;
        while (i < n && /[0-9]/.test(text[i]!)) i++;
      }
      tokens.push({ kind: 'number', value: text.slice(start, i), start, end: i });
      continue;
    }
    if ('(),;[].:'.includes(c)) {
      if (c === ':' && text[i + 1] === ':') {
        tokens.push({ kind: 'op', value: '::', start, end: i + 2 });
        i += 2;
        continue;
      }
      tokens.push({ kind: 'punct', value: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (OP_CHARS.includes(c)) {
      while (i < n && OP_CHARS.includes(text[i]!) && !(text[i] === '-' && text[i + 1] === '-')) i++;
      tokens.push({ kind: 'op', value: text.slice(start, i), start, end: i });
      continue;
    }
    throw new LexError(`syntax error at or near "${c}"`, i);
  }
  return tokens;
}

/** Split a query string into statements at top-level semicolons; empty statements are dropped. */
export function splitStatements(text: string): { sql: string; offset: number }[] {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch {
    // Let the parser report the error on the whole string.
    return text.trim() ? [{ sql: text, offset: 0 }] : [];
  }
  const out: { sql: string; offset: number }[] = [];
  let stmtStart: number | null = null;
  let depth = 0;
  let lastEnd = 0;
  for (const t of tokens) {
    if (t.kind === 'punct' && t.value === '(') depth++;
    if (t.kind === 'punct' && t.value === ')') depth = Math.max(0, depth - 1);
    if (t.kind === 'punct' && t.value === ';' && depth === 0) {
      if (stmtStart !== null) out.push({ sql: text.slice(stmtStart, lastEnd), offset: stmtStart });
      stmtStart = null;
      continue;
    }
    if (stmtStart === null) stmtStart = t.start;
    lastEnd = t.end;
  }
  if (stmtStart !== null) out.push({ sql: text.slice(stmtStart, lastEnd), offset: stmtStart });
  return out;
}
