/**
 * PostgreSQL string functions on JS strings, counting characters as code points (PostgreSQL counts UTF-8
 * characters, not UTF-16 units). Stateless. Invariant: argument edge cases (negative lengths, zero field
 * numbers, empty patterns) behave and fail exactly as in PostgreSQL 15.
 */
import { createHash } from 'node:crypto';
import { SqlError } from '../common/errors.js';

function hasSurrogates(s: string): boolean {
  return /[\uD800-\uDFFF]/.test(s);
}

function chars(s: string): string[] {
  return Array.from(s);
}

export function charLength(s: string): number {
  return hasSurrogates(s) ? chars(s).length : s.length;
}

export function octetLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Maps each character on its own (C.UTF-8 towlower/towupper): 'ß' stays 'ß' under upper(). */
function mapChars(s: string, f: (c: string) => string): string {
  let out = '';
  for (const c of s) {
    const m = f(c);
    out += charLength(m) === 1 ? m : c;
  }
  return out;
}

export function lower(s: string): string {
  return /^[\x00-\x7f]*$/.test(s) ? s.toLowerCase() : mapChars(s, (c) => c.toLowerCase());
}

export function upper(s: string): string {
  return /^[\x00-\x7f]*$/.test(s) ? s.toUpperCase() : mapChars(s, (c) => c.toUpperCase());
}

export function initcap(s: string): string {
  let out = '';
  let inWord = false;
  for (const c of s) {
    const alnum = /[\p{L}\p{N}]/u.test(c);
    out += alnum ? (inWord ? lower(c) : upper(c)) : c;
    inWord = alnum;
  }
  return out;
}

/** substring(s from start [for count]): 1-based, start may be ≤ 0; negative count is 22011. */
export function substring(s: string, start: number, count?: number): string {
  if (count !== undefined && count < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const cs = hasSurrogates(s) ? chars(s) : null;
  const len = cs ? cs.length : s.length;
  const from = Math.max(start, 1);
  const end = count === undefined ? len + 1 : Math.min(start + count, len + 1);
  if (end <= from) return '';
  return cs ? cs.slice(from - 1, end - 1).join('') : s.slice(from - 1, end - 1);
}

/** position(sub IN s) / strpos(s, sub): 1-based character index, 0 when absent, 1 for an empty sub. */
export function strpos(s: string, sub: string): number {
  const i = s.indexOf(sub);
  if (i < 0) return 0;
  return charLength(s.slice(0, i)) + 1;
}

export function splitPart(s: string, delim: string, n: number): string {
  if (n === 0) throw new SqlError('22023', 'field position must not be zero');
  if (delim === '') return n === 1 || n === -1 ? s : '';
  const parts = s.split(delim);
  const i = n > 0 ? n - 1 : parts.length + n;
  return i >= 0 && i < parts.length ? parts[i]! : '';
}

function trimSet(chars: string): Set<string> {
  return new Set(Array.from(chars));
}

export function btrim(s: string, set = ' '): string {
  return rtrim(ltrim(s, set), set);
}

export function ltrim(s: string, set = ' '): string {
  const cs = chars(s);
  const t = trimSet(set);
  let i = 0;
  while (i < cs.length && t.has(cs[i]!)) i++;
  return cs.slice(i).join('');
}

export function rtrim(s: string, set = ' '): string {
  const cs = chars(s);
  const t = trimSet(set);
  let j = cs.length;
  while (j > 0 && t.has(cs[j - 1]!)) j--;
  return cs.slice(0, j).join('');
}

export function replace(s: string, from: string, to: string): string {
  return from === '' ? s : s.split(from).join(to);
}

export function left(s: string, n: number): string {
  const cs = chars(s);
  return n >= 0 ? cs.slice(0, n).join('') : cs.slice(0, Math.max(0, cs.length + n)).join('');
}

export function right(s: string, n: number): string {
  const cs = chars(s);
  return n >= 0 ? cs.slice(Math.max(0, cs.length - n)).join('') : cs.slice(Math.min(cs.length, -n)).join('');
}

export function repeat(s: string, n: number): string {
  if (n <= 0) return '';
  if (s.length * n > 1 << 28) throw new SqlError('54000', 'requested length too large');
  return s.repeat(n);
}

export function reverse(s: string): string {
  return chars(s).reverse().join('');
}

function pad(s: string, len: number, fill: string, leftSide: boolean): string {
  if (len <= 0) return '';
  if (len > 1 << 28) throw new SqlError('54000', 'requested length too large');
  const cs = chars(s);
  if (cs.length >= len || fill === '') return cs.slice(0, len).join('');
  const f = chars(fill);
  const need = len - cs.length;
  let padding = '';
  for (let i = 0; i < need; i++) padding += f[i % f.length];
  return leftSide ? padding + s : s + padding;
}

export function lpad(s: string, len: number, fill = ' '): string {
  return pad(s, len, fill, true);
}

export function rpad(s: string, len: number, fill = ' '): string {
  return pad(s, len, fill, false);
}

export function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

export function translate(s: string, from: string, to: string): string {
  const f = chars(from);
  const t = chars(to);
  let out = '';
  for (const c of s) {
    const i = f.indexOf(c);
    if (i < 0) out += c;
    else if (i < t.length) out += t[i];
  }
  return out;
}

export function ascii(s: string): number {
  return s.length === 0 ? 0 : s.codePointAt(0)!;
}

export function chr(n: number): string {
  if (n === 0) throw new SqlError('54000', 'null character not permitted');
  if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) throw new SqlError('54000', 'requested character too large for encoding: ' + n);
  return String.fromCodePoint(n);
}
