/**
 * Session and catalog functions that need the engine (current_user, version(), pg_table_is_visible, format_type,
 * current_setting …): what psql, pgjdbc, psycopg and BI tools call. Resolved by the binder before built-ins.
 * Stateless: each call reads the engine/session it was created for.
 */
import type { SqlType, Value } from '../common/types.js';
import { Jsonb } from '../common/types.js';
import { SqlError } from '../common/errors.js';
import type { ResolvedFunction } from '../expr/functions.js';
import type { Engine } from './engine.js';
import { indexDefinition, keyColumnNames, keyIndexes, typeOidDisplay } from './system.js';
import { formatValueText } from '../expr/text-io.js';
import { parseArrayElements as parseArrayText } from '../plan/stream.js';

export interface SessionView {
  user: string;
  database: string;
  setting(name: string): string | undefined;
  set(name: string, value: string): void;
}

export const SLUICE_VERSION = '0.1.0';
export const SERVER_VERSION = `15.0 (sluice ${SLUICE_VERSION})`;

type Impl = (args: Value[]) => Value;

/** Elements of an int2vector's text ('1 3') or of int array text ('{1,3}'). */
function int2vectorElements(text: string): number[] {
  const t = text.trim();
  const parts = t.startsWith('{') ? parseArrayText(t) : t.split(/\s+/);
  return parts.filter((x): x is string => x !== null && x !== '').map(Number);
}

/** PostgreSQL array text of text elements: quoted where needed, NULL for null. */
export function formatArrayText(xs: readonly (string | null)[]): string {
  const el = (x: string | null): string => {
    if (x === null) return 'NULL';
    if (x === '' || /[{},"\\\s]/.test(x) || x.toUpperCase() === 'NULL') return `"${x.replace(/[\\"]/g, (c) => '\\' + c)}"`;
    return x;
  };
  return '{' + xs.map(el).join(',') + '}';
}

/** parse_ident: a possibly qualified SQL identifier split into its parts; unquoted parts fold to lower case. */
function parseQualifiedIdent(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i <= s.length) {
    let part = '';
    if (s[i] === '"') {
      i++;
      while (i < s.length && !(s[i] === '"' && s[i + 1] !== '"')) {
        part += s[i];
        i += s[i] === '"' ? 2 : 1;
      }
      i++;
    } else {
      while (i < s.length && s[i] !== '.') part += s[i++];
      part = part.trim().toLowerCase();
    }
    if (part === '') throw new SqlError('22023', `string is not a valid identifier: "${text}"`);
    parts.push(part);
    if (s[i] !== '.') break;
    i++;
  }
  return parts;
}

/** A SQL value as a JSON value (json_build_object): numbers, booleans and jsonb stay typed, the rest is text. */
function jsonOf(v: Value, t: SqlType): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof Jsonb) return v.value;
  return t === 'unknown' ? String(v) : formatValueText(v, t);
}

export function catalogFunctions(engine: Engine, session: SessionView): (name: string, argTypes: SqlType[]) => ResolvedFunction | null {
  const fn = (name: string, argTypes: SqlType[], returnType: SqlType, impl: Impl, strict = true): ResolvedFunction => ({ name: `__${name}`, argTypes, returnType, strict, impl: (args) => impl(args) });
  const num = (v: Value): number => Number(v as number | bigint);
  const relByOid = (o: Value): string | null => {
    const n = num(o);
    return engine.catalog.list().find((x) => x.oid === n)?.name ?? null;
  };
  const relOidByName = (qualified: string): bigint | null => {
    const name = qualified.split('.').pop()!.replace(/^"|"$/g, '');
    const o = engine.catalog.get(name);
    return o ? BigInt(o.oid) : null;
  };
  return (name, argTypes) => {
    const n = argTypes.length;
    switch (name) {
      case 'current_user':
      case 'session_user':
      case 'user':
        return n === 0 ? fn(name, [], 'text', () => session.user) : null;
      case 'current_database':
        return n === 0 ? fn(name, [], 'text', () => session.database) : null;
      case 'current_schema':
        return n === 0 ? fn(name, [], 'text', () => 'public') : null;
      case 'version':
        return n === 0 ? fn(name, [], 'text', () => `PostgreSQL ${SERVER_VERSION} on x86_64-pc-linux-gnu, compiled by TypeScript, 64-bit`) : null;
      case 'pg_backend_pid':
        return n === 0 ? fn(name, [], 'integer', () => process.pid) : null;
      case 'pg_postmaster_start_time':
        return n === 0 ? fn(name, [], 'timestamptz', () => engine.startedAtMs * 1000) : null;
      case 'current_setting':
        if (n === 1 || n === 2) return fn(name, argTypes.map(() => 'text'), 'text', (a) => session.setting(String(a[0])) ?? null);
        return null;
      case 'set_config':
        if (n === 3) return fn(name, ['text', 'text', 'boolean'], 'text', (a) => {
          session.set(String(a[0]), String(a[1]));
          // The value as stored, which PostgreSQL returns canonical ('3000' for statement_timeout gives '3s').
          return session.setting(String(a[0])) ?? String(a[1]);
        });
        return null;
      case 'pg_table_is_visible':
      case 'pg_type_is_visible':
      case 'pg_function_is_visible':
        return n === 1 ? fn(name, ['bigint'], 'boolean', () => true) : null;
      case 'pg_get_userbyid':
        return n === 1 ? fn(name, ['bigint'], 'text', () => 'root') : null;
      case 'has_table_privilege':
      case 'has_schema_privilege':
      case 'has_database_privilege':
      case 'has_column_privilege':
      case 'has_any_column_privilege':
        return n >= 1 && n <= 4 ? fn(name, argTypes.map((t) => (t === 'unknown' ? 'text' : t)), 'boolean', () => true, false) : null;
      case 'format_type':
        return n === 2 ? fn(name, ['bigint', 'integer'], 'text', (a) => (a[0] === null ? null : typeOidDisplay(num(a[0])) ?? '???'), false) : null;
      case 'obj_description':
      case 'col_description':
      case 'shobj_description':
        return n === 1 || n === 2 ? fn(name, argTypes.map((t) => (t === 'unknown' ? 'text' : t === 'integer' ? 'integer' : t)), 'text', () => null, false) : null;
      case 'pg_get_expr':
        // pg_attrdef.adbin already holds the expression's text; other node trees are not kept (NULL).
        return n === 2 || n === 3 ? fn(name, argTypes.map((t) => (t === 'unknown' ? 'text' : t)), 'text', (a) => (typeof a[0] === 'string' ? a[0] : null), false) : null;
      case 'pg_get_viewdef':
        return n === 1 || n === 2 ? fn(name, argTypes.map((t) => (t === 'unknown' ? 'text' : t)), 'text', (a) => {
          const v = typeof a[0] === 'string' ? engine.catalog.get(a[0]) : engine.catalog.list().find((x) => x.oid === num(a[0]));
          return v && 'query' in v ? ` ${v.query.trim()}` : null;
        }) : null;
      case 'pg_get_indexdef':
        // pg_get_indexdef(index_oid [, column_no, pretty]): column 0 = the CREATE INDEX statement, k = the k-th key column.
        return n >= 1 && n <= 3 ? fn(name, ['bigint', 'integer', 'boolean'].slice(0, n) as SqlType[], 'text', (a) => {
          const ix = keyIndexes(engine).find((x) => x.indexOid === num(a[0]));
          if (!ix) return null;
          const col = n >= 2 && a[1] !== null ? num(a[1]) : 0;
          return col > 0 ? keyColumnNames(ix)[col - 1] ?? null : indexDefinition(ix);
        }, false) : null;
      case 'pg_get_constraintdef':
        return n === 1 || n === 2 ? fn(name, ['bigint', 'boolean'].slice(0, n) as SqlType[], 'text', (a) => {
          const ix = keyIndexes(engine).find((x) => x.constraintOid === num(a[0]));
          return ix ? `${ix.primary ? 'PRIMARY KEY' : 'UNIQUE'} (${keyColumnNames(ix).join(', ')})` : null;
        }) : null;
      case 'current_schemas':
        // The search path as array text; with implicit = true it starts with pg_catalog, as PostgreSQL's does.
        return n === 1 ? fn(name, ['boolean'], 'text', (a) => (a[0] === true ? '{pg_catalog,public}' : '{public}')) : null;
      case '__int2vector_position':
        // 1-based position of an attribute number in an int2vector ('1 3') or int array ('{1,3}'), or NULL.
        return n === 2 ? fn(name, ['text', 'integer'], 'integer', (a) => {
          const i = int2vectorElements(String(a[0])).indexOf(num(a[1]));
          return i < 0 ? null : i + 1;
        }) : null;
      case '__int2vector_element':
        // int2vector subscript (0-based, as PostgreSQL's int2vector is).
        return n === 2 ? fn(name, ['text', 'integer'], 'smallint', (a) => int2vectorElements(String(a[0]))[num(a[1])] ?? null) : null;
      case '__int2vector_member':
        // The attribute number itself when it is in the vector, else NULL (pgjdbc's _pg_expandarray(...).x join).
        return n === 2 ? fn(name, ['text', 'integer'], 'integer', (a) => (int2vectorElements(String(a[0])).includes(num(a[1])) ? num(a[1]) : null)) : null;
      case 'pg_get_triggerdef':
      case 'pg_get_ruledef':
        return fn(name, argTypes.map((t) => (t === 'unknown' ? 'text' : t)), 'text', () => null, false);
      case 'array_to_string':
        return n === 2 || n === 3 ? fn(name, argTypes.map(() => 'text'), 'text', (a) => parseArrayText(String(a[0])).filter((x) => x !== null || a[2] !== undefined).map((x) => x ?? String(a[2] ?? '')).join(String(a[1]))) : null;
      case 'array_upper':
      case 'array_length':
      case 'cardinality':
        return n >= 1 ? fn(name, argTypes.map((t) => (t === 'unknown' ? 'text' : t)), 'integer', (a) => {
          const xs = parseArrayText(String(a[0]));
          return xs.length ? xs.length : null;
        }) : null;
      case '__any_text_eq':
        return n === 2 ? { name: '__any_text_eq', argTypes: [argTypes[0]!, 'text'], returnType: 'boolean', strict: true, impl: (a) => {
          const want = formatValueText(a[0]!, argTypes[0]!);
          return parseArrayText(String(a[1])).some((x) => x === want);
        } } : null;
      case 'json_build_object':
      case 'jsonb_build_object':
        return n % 2 === 0 ? fn(name, argTypes.map((t) => (t === 'unknown' ? 'text' : t)), 'jsonb', (a) => {
          const o: Record<string, unknown> = {};
          for (let i = 0; i < a.length; i += 2) o[String(a[i])] = jsonOf(a[i + 1]!, argTypes[i + 1]!);
          return new Jsonb(o);
        }, false) : null;
      case 'string_to_array':
        // string_to_array(text, delimiter [, null_string]) as array text; a NULL delimiter splits into characters.
        return n === 2 || n === 3 ? fn(name, argTypes.map(() => 'text'), 'text', (a) => {
          if (a[0] === null) return null;
          const str = String(a[0]);
          if (str === '') return '{}';
          const parts = a[1] === null ? [...str] : String(a[1]) === '' ? [str] : str.split(String(a[1]));
          return formatArrayText(parts.map((x) => (a[2] !== undefined && a[2] !== null && x === String(a[2]) ? null : x)));
        }, false) : null;
      case 'parse_ident':
        return n === 1 || n === 2 ? fn(name, n === 1 ? ['text'] : ['text', 'boolean'], 'text', (a) => formatArrayText(parseQualifiedIdent(String(a[0])))) : null;
      case 'quote_ident':
        return n === 1 ? fn(name, ['text'], 'text', (a) => (/^[a-z_][a-z0-9_$]*$/.test(String(a[0])) ? String(a[0]) : `"${String(a[0]).replace(/"/g, '""')}"`)) : null;
      case 'quote_literal':
        return n === 1 ? fn(name, ['text'], 'text', (a) => `'${String(a[0]).replace(/'/g, "''")}'`) : null;
      case 'pg_get_statisticsobjdef_columns':
      case 'pg_get_function_result':
      case 'pg_get_function_arguments':
      case 'pg_get_function_identity_arguments':
      case 'pg_tablespace_location':
      case 'pg_get_partkeydef':
      case 'pg_get_partition_constraintdef':
      case 'pg_get_serial_sequence':
      case 'pg_get_keywords':
      case 'pg_get_statisticsobjdef':
        return fn(name, argTypes.map((t) => (t === 'unknown' ? 'text' : t)), 'text', () => null, false);
      case '__array_subscript':
        return n === 2 ? { name: '__array_subscript', argTypes: ['text', 'integer'], returnType: 'unknown', strict: true, impl: (a) => parseArrayText(String(a[0]))[Number(a[1]) - 1] ?? null } : null;
      case 'array_lower':
        return n === 2 ? fn(name, ['text', 'integer'], 'integer', (a) => (parseArrayText(String(a[0])).length ? 1 : null)) : null;
      case 'pg_relation_is_publishable':
        return n === 1 ? fn(name, [argTypes[0] === 'unknown' ? 'bigint' : argTypes[0]!], 'boolean', () => false) : null;
      case 'pg_encoding_to_char':
        return n === 1 ? fn(name, ['integer'], 'text', () => 'UTF8') : null;
      case 'pg_relation_size':
      case 'pg_total_relation_size':
      case 'pg_table_size':
        return n === 1 ? fn(name, ['bigint'], 'bigint', () => 0n) : null;
      case 'pg_size_pretty':
        return n === 1 ? fn(name, ['bigint'], 'text', (a) => `${String(a[0])} bytes`) : null;
      case 'pg_stat_get_numscans':
      case 'pg_stat_get_tuples_returned':
      case 'pg_stat_get_tuples_fetched':
        // Index statistics (DBeaver's index list): sluice keeps none.
        return n === 1 ? fn(name, ['bigint'], 'bigint', () => 0n) : null;
      case 'txid_current':
        return n === 0 ? fn(name, [], 'bigint', () => BigInt(engine.epoch)) : null;
      case 'inet_server_addr':
        return n === 0 ? fn(name, [], 'text', () => '127.0.0.1') : null;
      case '__oid_to_regclass':
        if (n !== 1) return null;
        // A name computed at run time (e.g. pg_get_serial_sequence(...)::regclass) resolves to its OID.
        if (argTypes[0] === 'text' || argTypes[0] === 'varchar') return { name: '__name_to_regclass', argTypes: [argTypes[0]], returnType: 'bigint', strict: true, impl: (a) => relOidByName(String(a[0])) };
        return { name: '__oid_to_regclass', argTypes: ['bigint'], returnType: 'text', strict: true, impl: (a) => relByOid(a[0]!) ?? String(a[0]) };
      default:
        return null;
    }
  };
}

