/**
 * LIKE/ILIKE and POSIX regular expressions (~, ~*, regexp_replace, regexp_match, substring FROM) compiled
 * once per pattern text and cached. State: bounded caches of compiled matchers.
 * Invariant: a LIKE matcher matches the whole string; '%' any run, '_' one character, the escape character
 * (default backslash) makes the next character literal; regexes use PostgreSQL ARE meaning for the common subset.
 */
import { SqlError } from '../common/errors.js';

type Matcher = (s: string) => boolean;

const CACHE_LIMIT = 10_000;

/**
 * Compiled values by option (case flag, escape, regex flags) and then by pattern text: a lookup per row builds no
 * key string. Each per-option cache holds at most CACHE_LIMIT patterns.
 */
class PatternCache<V> {
  private readonly byOption = new Map<string, Map<string, V>>();

  get(option: string, pattern: string, make: () => V): V {
    let cache = this.byOption.get(option);
    if (cache === undefined) this.byOption.set(option, (cache = new Map()));
    const hit = cache.get(pattern);
    if (hit !== undefined) return hit;
    const v = make();
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, v);
    return v;
  }
}

const likeCache = [new PatternCache<Matcher>(), new PatternCache<Matcher>()];

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|]/.test(ch) ? '\\' + ch : ch;
}

/** Compiles a LIKE pattern (caseInsensitive for ILIKE); `escape` '' disables escaping. Errors 22025. */
export function compileLike(pattern: string, caseInsensitive: boolean, escape = '\\'): Matcher {
  return likeCache[caseInsensitive ? 1 : 0]!.get(escape, pattern, () => buildLike(pattern, caseInsensitive, escape));
}

function buildLike(pattern: string, ci: boolean, escape: string): Matcher {
  let re = '';
  let literalOnly = true;
  const chars = Array.from(pattern);
  let literal = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (escape !== '' && c === escape) {
      if (i + 1 >= chars.length) return trailingEscape(re, ci);
      const next = chars[++i]!;
      re += escapeRegex(next);
      literal += next;
    } else if (c === '%') {
      re += '[\\s\\S]*';
      literalOnly = false;
    } else if (c === '_') {
      re += '[\\s\\S]';
      literalOnly = false;
    } else {
      re += escapeRegex(c);
      literal += c;
    }
  }
  if (!ci) {
    if (literalOnly) return (s) => s === literal;
    // '%text%' — the seed's shape — is a substring search.
    const inner = /^%([^%_\\]*)%$/.exec(pattern);
    if (inner && escape === '\\') {
      const needle = inner[1]!;
      return (s) => s.includes(needle);
    }
    const prefix = /^([^%_\\]*)%$/.exec(pattern);
    if (prefix && escape === '\\') {
      const p = prefix[1]!;
      return (s) => s.startsWith(p);
    }
  }
  const regex = new RegExp('^' + re + '$', ci ? 'iu' : 'u');
  return (s) => regex.test(s);
}

/** PostgreSQL raises 22025 only when matching reaches the dangling escape with text left over. */
function trailingEscape(re: string, ci: boolean): Matcher {
  const prefix = new RegExp('^' + re, ci ? 'iu' : 'u');
  return (s) => {
    const m = prefix.exec(s);
    if (m && m[0].length < s.length) throw new SqlError('22025', 'LIKE pattern must not end with escape character');
    return false;
  };
}

/** like_escape / LIKE … ESCAPE: the escape must be one character or empty (22025 otherwise). */
export function checkLikeEscape(escape: string): string {
  if (Array.from(escape).length > 1) throw new SqlError('22025', 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  return escape;
}

const regexCache = new PatternCache<RegExp>();

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

/** Translates the common subset of PostgreSQL's ARE syntax to a JS RegExp source. */
function translateRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[i + 1]!;
      i++;
      switch (n) {
        case 'm':
          out += '\\b(?=\\w)';
          break;
        case 'M':
          out += '\\b(?<=\\w)';
          break;
        case 'y':
          out += '\\b';
          break;
        case 'Y':
          out += '\\B';
          break;
        case 'A':
          out += '^';
          break;
        case 'Z':
          out += '$';
          break;
        default:
          out += '\\' + n;
      }
    } else if (c === '[') {
      // copy a bracket expression, translating [:class:] inside it
      let j = i + 1;
      let body = '';
      if (pattern[j] === '^') {
        body += '^';
        j++;
      }
      if (pattern[j] === ']') {
        body += '\\]';
        j++;
      }
      while (j < pattern.length && pattern[j] !== ']') {
        const cls = /^\[:([a-z]+):\]/.exec(pattern.slice(j));
        if (cls) {
          const tr = POSIX_CLASSES[cls[1]!];
          if (tr === undefined) throw invalidRegex('invalid character class');
          body += tr;
          j += cls[0].length;
        } else if (pattern[j] === '\\') {
          body += pattern.slice(j, j + 2);
          j += 2;
        } else {
          body += pattern[j] === '[' ? '\\[' : pattern[j];
          j++;
        }
      }
      if (j >= pattern.length) throw invalidRegex('brackets [] not balanced');
      out += '[' + body + ']';
      i = j;
    } else if (c === '{' && /\d/.test(pattern[i + 1] ?? '')) {
      const bound = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (!bound) throw invalidRegex('braces {} not balanced');
      if (bound[3] && Number(bound[3]) < Number(bound[1])) throw invalidRegex('invalid repetition count(s)');
      out += bound[0];
      i += bound[0].length - 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** PostgreSQL's wording for the common JS RegExp syntax errors. */
function regexReason(jsMessage: string): string {
  if (/Unterminated group|Unmatched '\)'/.test(jsMessage)) return 'parentheses () not balanced';
  if (/Unterminated character class/.test(jsMessage)) return 'brackets [] not balanced';
  if (/Nothing to repeat/.test(jsMessage)) return 'quantifier operand invalid';
  if (/numbers out of order|Incomplete quantifier/.test(jsMessage)) return 'invalid repetition count(s)';
  if (/\\ at end of pattern/.test(jsMessage)) return 'invalid escape \\ sequence';
  return jsMessage.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
}

function invalidRegex(reason: string): SqlError {
  return new SqlError('2201B', `invalid regular expression: ${reason}`);
}

/** A compiled regex for pattern and PostgreSQL flags ('i' case-insensitive, 'g' global, 'n' newline-sensitive). */
export function compileRegex(pattern: string, flags = ''): RegExp {
  return regexCache.get(flags, pattern, () => {
    let js = 's';
    for (const f of flags) {
      if (f === 'i') js += 'i';
      else if (f === 'g') js += 'g';
      else if (f === 'c') continue;
      else if (f === 'n' || f === 'm') js = js.replace('s', '') + 'm';
      else throw new SqlError('22023', `invalid regular expression option: "${f}"`);
    }
    try {
      return new RegExp(translateRegex(pattern), js);
    } catch (e) {
      throw invalidRegex(regexReason(e instanceof Error ? e.message : String(e)));
    }
  });
}

export function regexMatches(s: string, pattern: string, caseInsensitive: boolean): boolean {
  const re = compileRegex(pattern, caseInsensitive ? 'i' : '');
  return re.test(s);
}

/** The first match's first capture group, or the whole match when the pattern has no groups; null if none. */
export function regexFirstMatch(s: string, pattern: string, flags = ''): string | null {
  const re = compileRegex(pattern, flags.replace('g', ''));
  const m = re.exec(s);
  if (!m) return null;
  return m.length > 1 ? (m[1] ?? null) : m[0];
}

/** regexp_replace: replacement '\1'…'\9' groups, '\&' the match, '\\' a backslash; flag 'g' replaces all. */
export function regexReplace(s: string, pattern: string, replacement: string, flags = ''): string {
  const re = compileRegex(pattern, flags);
  re.lastIndex = 0;
  return s.replace(re, (...m: unknown[]) => {
    const offsetAt = m.findIndex((x, k) => k > 0 && typeof x === 'number');
    const groups = m.slice(0, offsetAt) as (string | undefined)[];
    let out = '';
    for (let i = 0; i < replacement.length; i++) {
      const c = replacement[i]!;
      if (c === '\\' && i + 1 < replacement.length) {
        const n = replacement[i + 1]!;
        if (n >= '1' && n <= '9') {
          out += groups[Number(n)] ?? '';
          i++;
          continue;
        }
        if (n === '&') {
          out += groups[0] ?? '';
          i++;
          continue;
        }
        if (n === '\\') {
          out += '\\';
          i++;
          continue;
        }
      }
      out += c;
    }
    return out;
  });
}
