/**
 * parseStatement: one statement's text → Statement. PostgreSQL syntax goes to libpg-query (the real PostgreSQL
 * parser); sluice's extensions (CREATE SOURCE/SINK, FLUSH, DESCRIBE, SHOW <objects>, SHOW CREATE, ALTER
 * MATERIALIZED VIEW … AS) are recognised by their leading keywords and parsed here.
 * Errors are SqlError 42601 with a 1-based position relative to the statement text.
 */
import { loadModule, parseSync } from 'libpg-query';
import { SqlError, SQLSTATE } from '../common/errors.js';
import type { ColumnDef, IncludeDef, PgNode, Statement, WithOption } from './ast.js';
import { LexError, tokenize, type Token } from './lexer.js';
import { sqlTypeFromName } from './typename.js';

let loaded = false;

/** Load the PostgreSQL parser (WASM). Call once before parseStatement. */
export async function initParser(): Promise<void> {
  if (!loaded) {
    await loadModule();
    loaded = true;
  }
}

/** Parse PostgreSQL text with libpg-query; returns the list of raw statements. */
export function parsePg(text: string, positionBase = 0): PgNode[] {
  try {
    const result = parseSync(text) as { stmts?: { stmt: PgNode }[] };
    return (result.stmts ?? []).map((s) => s.stmt);
  } catch (e) {
    const err = e as { message?: string; sqlDetails?: { cursorPosition?: number } };
    const cursor = err.sqlDetails?.cursorPosition;
    throw new SqlError(SQLSTATE.syntax_error, err.message ?? 'syntax error', {
      position: cursor !== undefined ? positionBase + cursor + 1 : undefined,
    });
  }
}

export function parseStatement(text: string): Statement {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (e) {
    if (e instanceof LexError) throw new SqlError(SQLSTATE.syntax_error, e.message, { position: e.offset + 1 });
    throw e;
  }
  const w = (i: number): string => (tokens[i]?.kind === 'ident' ? tokens[i]!.value : '');
  if (w(0) === 'create' && w(1) === 'source') return parseCreateSource(text, tokens);
  if (w(0) === 'create' && w(1) === 'sink') return parseCreateSink(text, tokens);
  if (w(0) === 'drop' && (w(1) === 'source' || w(1) === 'sink')) {
    const c = new Cursor(text, tokens, 2);
    const ifExists = c.acceptWords('if', 'exists');
    const names = [c.qualifiedName()];
    while (c.acceptPunct(',')) names.push(c.qualifiedName());
    const cascade = c.acceptWords('cascade');
    if (!cascade) c.acceptWords('restrict');
    c.expectEnd();
    return { kind: 'drop', objectKind: w(1) as 'source' | 'sink', names, ifExists, cascade, text };
  }
  if (w(0) === 'flush' && tokens.length === 1) return { kind: 'flush', text };
  if ((w(0) === 'describe' || w(0) === 'desc') && tokens.length >= 2) {
    const c = new Cursor(text, tokens, 1);
    const name = c.qualifiedName();
    c.expectEnd();
    return { kind: 'describe', name, offset: tokens[1]!.start, text };
  }
  if (w(0) === 'show') {
    const rest = tokens.slice(1).map((t) => t.value).join(' ');
    const objects = ['sources', 'tables', 'materialized views', 'views', 'sinks'] as const;
    for (const o of objects) if (rest === o) return { kind: 'show_objects', what: o, text };
    if (w(1) === 'create') {
      const c = new Cursor(text, tokens, 2);
      let objectKind: 'materialized view' | 'view' | 'source' | 'sink' | 'table';
      if (c.acceptWords('materialized', 'view')) objectKind = 'materialized view';
      else if (c.acceptWords('view')) objectKind = 'view';
      else if (c.acceptWords('source')) objectKind = 'source';
      else if (c.acceptWords('sink')) objectKind = 'sink';
      else if (c.acceptWords('table')) objectKind = 'table';
      else throw c.error('expected MATERIALIZED VIEW, VIEW, SOURCE, SINK or TABLE');
      const offset = c.peek()?.start ?? text.length;
      const name = c.qualifiedName();
      c.expectEnd();
      return { kind: 'show_create', objectKind, name, offset, text };
    }
  }
  if (w(0) === 'alter' && w(1) === 'materialized' && w(2) === 'view') {
    const c = new Cursor(text, tokens, 3);
    const offset = c.peek()?.start ?? text.length;
    const name = c.qualifiedName();
    if (c.acceptWords('as')) {
      const queryStart = c.peek()?.start ?? text.length;
      const queryText = text.slice(queryStart);
      const [query] = parsePg(queryText, queryStart);
      if (!query?.SelectStmt) throw new SqlError(SQLSTATE.syntax_error, 'ALTER MATERIALIZED VIEW … AS expects a SELECT query', { position: queryStart + 1 });
      return { kind: 'alter_mv_as', name, query, queryText, offset, text };
    }
  }
  if (w(0) === 'create' && w(1) === 'or' && w(2) === 'replace' && w(3) === 'materialized' && w(4) === 'view') {
    const c = new Cursor(text, tokens, 5);
    const offset = c.peek()?.start ?? text.length;
    const name = c.qualifiedName();
    c.expectWords('as');
    const queryStart = c.peek()?.start ?? text.length;
    const queryText = text.slice(queryStart);
    const [query] = parsePg(queryText, queryStart);
    if (!query?.SelectStmt) throw new SqlError(SQLSTATE.syntax_error, 'CREATE OR REPLACE MATERIALIZED VIEW … AS expects a SELECT query', { position: queryStart + 1 });
    return { kind: 'alter_mv_as', name, query, queryText, offset, text };
  }
  const stmts = parsePg(text);
  if (stmts.length !== 1) throw new SqlError(SQLSTATE.syntax_error, 'expected exactly one statement');
  return { kind: 'pg', node: stmts[0], text };
}

/** Token cursor for the extension grammar. */
class Cursor {
  constructor(
    readonly text: string,
    readonly tokens: Token[],
    public i: number,
  ) {}
  peek(k = 0): Token | undefined {
    return this.tokens[this.i + k];
  }
  error(message: string): SqlError {
    const t = this.peek();
    const near = t ? `syntax error at or near "${this.text.slice(t.start, t.end)}"` : 'syntax error at end of input';
    return new SqlError(SQLSTATE.syntax_error, near, { position: (t ? t.start : this.text.length) + 1, detail: message });
  }
  isWord(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.kind === 'ident' && t.value === word;
  }
  acceptWords(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isWord(words[k]!, k)) return false;
    this.i += words.length;
    return true;
  }
  expectWords(...words: string[]): void {
    if (!this.acceptWords(...words)) throw this.error(`expected ${words.join(' ').toUpperCase()}`);
  }
  acceptPunct(p: string): boolean {
    const t = this.peek();
    if (t && (t.kind === 'punct' || t.kind === 'op') && t.value === p) {
      this.i++;
      return true;
    }
    return false;
  }
  expectPunct(p: string): Token {
    const t = this.peek();
    if (!this.acceptPunct(p)) throw this.error(`expected "${p}"`);
    return t!;
  }
  name(): string {
    const t = this.peek();
    if (!t || (t.kind !== 'ident' && t.kind !== 'quoted_ident')) throw this.error('expected a name');
    this.i++;
    return t.value;
  }
  qualifiedName(): string {
    let n = this.name();
    while (this.acceptPunct('.')) n = this.name(); // schema qualification: sluice has one schema, public
    return n;
  }
  expectEnd(): void {
    if (this.peek()) throw this.error('expected end of statement');
  }
  /** Index of the token closing the parenthesis opened at token `open`. */
  matchingParen(open: number): number {
    let depth = 0;
    for (let k = open; k < this.tokens.length; k++) {
      const t = this.tokens[k]!;
      if (t.kind === 'punct' && t.value === '(') depth++;
      if (t.kind === 'punct' && t.value === ')' && --depth === 0) return k;
    }
    this.i = this.tokens.length;
    throw this.error('unbalanced parentheses');
  }
  /** `( key = value, … )` where keys may be dotted (properties.bootstrap.server) and values are literals. */
  options(): WithOption[] {
    this.expectPunct('(');
    const out: WithOption[] = [];
    if (this.acceptPunct(')')) return out;
    for (;;) {
      const start = this.peek()?.start ?? this.text.length;
      let key = this.name();
      while (this.acceptPunct('.')) key += '.' + this.name();
      this.expectPunct('=');
      const v = this.peek();
      if (!v || !['string', 'number', 'ident', 'quoted_ident'].includes(v.kind)) throw this.error(`expected a value for option "${key}"`);
      this.i++;
      out.push({ key: key.toLowerCase(), value: v.value, offset: start });
      if (this.acceptPunct(')')) return out;
      this.expectPunct(',');
    }
  }
  formatEncode(): { format: string; encode: string; formatOptions: WithOption[] } {
    this.expectWords('format');
    const format = this.name().toLowerCase();
    this.expectWords('encode');
    const encode = this.name().toLowerCase();
    const formatOptions = this.peek()?.value === '(' ? this.options() : [];
    return { format, encode, formatOptions };
  }
}

function parseColumnList(text: string, tokens: Token[], open: number, close: number): ColumnDef[] {
  const inner = text.slice(tokens[open]!.end, tokens[close]!.start);
  const prefix = 'CREATE TABLE x (';
  const base = tokens[open]!.end - prefix.length;
  const [stmt] = parsePg(prefix + inner + ')', base);
  if (uniqueKeysOf(stmt?.CreateStmt).length) throw new SqlError(SQLSTATE.feature_not_supported, 'UNIQUE is not supported on source columns', { position: tokens[open]!.start + 1 });
  return columnDefsFromCreate(stmt?.CreateStmt, prefix + inner + ')', base);
}

/**
 * The text of a column's DEFAULT expression: from the token after DEFAULT (at `at`) up to the next constraint of
 * the column (`stop`), or the `,` or `)` that ends the column definition.
 */
function defaultText(text: string, tokens: readonly Token[], at: number, stop: number | undefined): string {
  let i = tokens.findIndex((t) => t.start >= at) + 1; // skip the DEFAULT keyword
  const first = tokens[i]?.start ?? text.length;
  let end = first;
  for (let depth = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (stop !== undefined && t.start >= stop) break;
    if (t.kind === 'punct' && (t.value === '(' || t.value === '[')) depth++;
    else if (t.kind === 'punct' && (t.value === ')' || t.value === ']')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && t.kind === 'punct' && t.value === ',') break;
    end = t.end;
  }
  return text.slice(first, end);
}

/** The UNIQUE constraints of a CREATE TABLE parse tree, column-level and table-level, in order: name (null:
 *  unnamed) and column names. */
export function uniqueKeysOf(create: PgNode): { name: string | null; columns: string[] }[] {
  const out: { name: string | null; columns: string[] }[] = [];
  for (const elt of create?.tableElts ?? []) {
    const c = elt.Constraint;
    if (c?.contype === 'CONSTR_UNIQUE') out.push({ name: c.conname ?? null, columns: (c.keys ?? []).map((k: PgNode) => k.String.sval) });
    for (const cc of elt.ColumnDef?.constraints ?? []) {
      if (cc.Constraint?.contype === 'CONSTR_UNIQUE') out.push({ name: cc.Constraint.conname ?? null, columns: [elt.ColumnDef.colname] });
    }
  }
  return out;
}

/** Column definitions of a CREATE TABLE parse tree (also used for CREATE TABLE itself); `text` is what was parsed. */
export function columnDefsFromCreate(create: PgNode, text: string, base = 0): ColumnDef[] {
  let tokens: Token[] | null = null; // of `text`, once a column has a DEFAULT
  const cols: ColumnDef[] = [];
  const tablePk: string[] = [];
  for (const elt of create?.tableElts ?? []) {
    if (elt.Constraint?.contype === 'CONSTR_PRIMARY') {
      for (const k of elt.Constraint.keys ?? []) tablePk.push(k.String.sval);
      continue;
    }
    if (elt.Constraint?.contype === 'CONSTR_UNIQUE') continue; // see uniqueKeysOf
    const cd = elt.ColumnDef;
    if (!cd) throw new SqlError(SQLSTATE.feature_not_supported, 'only column definitions, PRIMARY KEY and UNIQUE are supported here');
    const names: string[] = (cd.typeName?.names ?? []).map((n: PgNode) => n.String.sval);
    const type = sqlTypeFromName(names);
    const loc = (cd.typeName?.location ?? cd.location ?? 0) + base;
    if (!type) throw new SqlError(SQLSTATE.undefined_object, `type "${names[names.length - 1]}" does not exist`, { position: loc + 1 });
    if (cd.typeName?.arrayBounds) throw new SqlError(SQLSTATE.feature_not_supported, 'array types are not supported yet', { position: loc + 1 });
    const constraints: PgNode[] = (cd.constraints ?? []).map((c: PgNode) => c.Constraint);
    const d = constraints.findIndex((c) => c?.contype === 'CONSTR_DEFAULT');
    cols.push({
      name: cd.colname,
      type,
      notNull: constraints.some((c) => c?.contype === 'CONSTR_NOTNULL' || c?.contype === 'CONSTR_PRIMARY'),
      primaryKey: constraints.some((c) => c?.contype === 'CONSTR_PRIMARY'),
      default: d < 0 ? null : defaultText(text, (tokens ??= tokenize(text)), constraints[d]!.location, constraints[d + 1]?.location),
      offset: (cd.location ?? 0) + base,
    });
  }
  for (const k of tablePk) {
    const c = cols.find((x) => x.name === k);
    if (!c) throw new SqlError(SQLSTATE.undefined_column, `column "${k}" named in key does not exist`);
    c.primaryKey = true;
    c.notNull = true;
  }
  const seen = new Set<string>();
  for (const c of cols) {
    if (seen.has(c.name)) throw new SqlError(SQLSTATE.duplicate_column, `column "${c.name}" specified more than once`, { position: c.offset + 1 });
    seen.add(c.name);
  }
  return cols;
}

function parseCreateSource(text: string, tokens: Token[]): Statement {
  const c = new Cursor(text, tokens, 2);
  const ifNotExists = c.acceptWords('if', 'not', 'exists');
  const name = c.qualifiedName();
  let columns: ColumnDef[] = [];
  if (c.peek()?.value === '(' && c.peek()?.kind === 'punct') {
    const close = c.matchingParen(c.i);
    columns = parseColumnList(text, tokens, c.i, close);
    c.i = close + 1;
  }
  const include: IncludeDef[] = [];
  while (c.acceptWords('include')) {
    const t = c.peek();
    const what = t?.value;
    if (what !== 'partition' && what !== 'offset' && what !== 'timestamp' && what !== 'key') throw c.error('expected PARTITION, OFFSET, TIMESTAMP or KEY after INCLUDE');
    c.i++;
    const alias = c.acceptWords('as') ? c.name() : null;
    include.push({ what, alias });
  }
  c.expectWords('with');
  const options = c.options();
  const fe = c.formatEncode();
  c.expectEnd();
  return { kind: 'create_source', name, ifNotExists, columns, include, options, ...fe, text };
}

function parseCreateSink(text: string, tokens: Token[]): Statement {
  const c = new Cursor(text, tokens, 2);
  const ifNotExists = c.acceptWords('if', 'not', 'exists');
  const name = c.qualifiedName();
  let from: string | null = null;
  let query: PgNode | null = null;
  let queryText: string | null = null;
  if (c.acceptWords('from')) {
    from = c.qualifiedName();
  } else if (c.acceptWords('as')) {
    // The query runs until the WITH that opens the options: find the last top-level WITH followed by '('.
    const start = c.i;
    let withAt = -1;
    let depth = 0;
    for (let k = start; k < tokens.length; k++) {
      const t = tokens[k]!;
      if (t.kind === 'punct' && t.value === '(') depth++;
      if (t.kind === 'punct' && t.value === ')') depth--;
      if (depth === 0 && t.kind === 'ident' && t.value === 'with' && tokens[k + 1]?.value === '(') withAt = k;
    }
    if (withAt < 0) throw c.error('expected WITH (…) after the sink query');
    queryText = text.slice(tokens[start]!.start, tokens[withAt - 1]!.end);
    const [q] = parsePg(queryText, tokens[start]!.start);
    if (!q?.SelectStmt) throw new SqlError(SQLSTATE.syntax_error, 'CREATE SINK … AS expects a SELECT query', { position: tokens[start]!.start + 1 });
    query = q;
    c.i = withAt;
  } else {
    throw c.error('expected FROM relation or AS query');
  }
  c.expectWords('with');
  const options = c.options();
  let fe = { format: 'plain', encode: 'json', formatOptions: [] as WithOption[] };
  if (c.isWord('format')) fe = c.formatEncode();
  c.expectEnd();
  return { kind: 'create_sink', name, ifNotExists, from, query, queryText, options, ...fe, text };
}
