/**
 * JSON decoder: every type conversion, NULL/missing/extra/case-sensitive keys, exact bigint and numeric,
 * INCLUDE columns, and the dead-letter reasons of bad messages; plus a property test against JSON.stringify.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createJsonDecoder } from '../../src/connectors/json-decoder.js';
import type { Column, SqlType } from '../../src/common/types.js';
import { Jsonb } from '../../src/common/types.js';
import { Numeric } from '../../src/common/numeric.js';
import type { DecodeResult, IncludeColumn, SourceMessage } from '../../src/connectors/types.js';

function msg(value: string | null, extra: Partial<SourceMessage> = {}): SourceMessage {
  return { partition: 2, offset: '41', timestampMs: 1700000000123, key: null, value: value === null ? null : Buffer.from(value), ...extra };
}

function one(type: SqlType, json: string, name = 'c'): DecodeResult {
  return createJsonDecoder({ columns: [{ name, type }], include: [] }).decode(msg(`{"${name}":${json}}`));
}

function ok(type: SqlType, json: string): unknown {
  const r = one(type, json);
  assert.ok(r.ok, `expected ${json} to decode as ${type}: ${r.ok ? '' : r.error}`);
  return r.row[0];
}

function err(type: SqlType, json: string, name = 'c'): string {
  const r = one(type, json, name);
  assert.ok(!r.ok, `expected ${json} to fail as ${type}`);
  return r.error;
}

const T = Date.UTC(2024, 0, 2, 3, 4, 5) * 1000;

describe('json decoder: timestamps', () => {
  it('parses ISO-8601 with Z, offsets, fractions, T or space', () => {
    assert.equal(ok('timestamptz', '"2024-01-02T03:04:05Z"'), T);
    assert.equal(ok('timestamptz', '"2024-01-02 03:04:05Z"'), T);
    assert.equal(ok('timestamptz', '"2024-01-02T03:04:05"'), T, 'no offset means UTC');
    assert.equal(ok('timestamptz', '"2024-01-02T05:04:05+02:00"'), T);
    assert.equal(ok('timestamptz', '"2024-01-02T05:04:05+0200"'), T);
    assert.equal(ok('timestamptz', '"2024-01-01T22:04:05-05"'), T);
    assert.equal(ok('timestamptz', '"2024-01-02T03:04:05.123456Z"'), T + 123456);
    assert.equal(ok('timestamptz', '"2024-01-02T03:04:05.5Z"'), T + 500000);
    assert.equal(ok('timestamptz', '"2024-01-02T03:04:05.1234567Z"'), T + 123457, 'rounded to µs');
    assert.equal(ok('timestamptz', '"2024-01-02T03:04Z"'), T - 5_000_000);
    assert.equal(ok('timestamptz', '"2024-01-02"'), Date.UTC(2024, 0, 2) * 1000);
    assert.equal(ok('timestamptz', '"2024-01-02 03:04:05 UTC"'), T);
  });
  it('falls back to the full PostgreSQL parser for other forms', () => {
    assert.equal(ok('timestamptz', '"01/02/2024 03:04:05"'), T);
    assert.equal(ok('timestamptz', '"2024-01-02 03:04:05 Europe/Paris"'), T - 3_600_000_000);
  });
  it('reads JSON numbers as epoch milliseconds', () => {
    assert.equal(ok('timestamptz', '1704164645000'), T);
    assert.equal(ok('timestamptz', '1704164645000.5'), T + 500);
    assert.equal(ok('timestamp', '1704164645000'), T);
  });
  it('timestamp ignores a written offset, as PostgreSQL does', () => {
    assert.equal(ok('timestamp', '"2024-01-02T03:04:05+02:00"'), T);
    assert.equal(ok('timestamp', '"2024-01-02 03:04:05"'), T);
  });
  it('rejects bad timestamps with the column in the reason', () => {
    assert.equal(err('timestamptz', '"yesterday-ish"', 'event_time'), 'column "event_time": cannot parse "yesterday-ish" as timestamptz');
    assert.match(err('timestamptz', '"2024-02-30T00:00:00Z"'), /cannot parse "2024-02-30T00:00:00Z" as timestamptz/);
    assert.match(err('timestamptz', 'true'), /cannot parse true as timestamptz/);
    assert.match(err('timestamptz', '1e300'), /out of range for type timestamptz/);
  });
});

describe('json decoder: numbers', () => {
  it('integers from numbers and numeric strings, range-checked', () => {
    assert.equal(ok('integer', '443'), 443);
    assert.equal(ok('integer', '"443"'), 443);
    assert.equal(ok('integer', '" -7 "'), -7);
    assert.equal(ok('integer', '1.0'), 1, 'JSON 1.0 is the number 1');
    assert.equal(ok('integer', '2147483647'), 2147483647);
    assert.equal(ok('smallint', '-32768'), -32768);
    assert.equal(err('integer', '"abc"', 'dst_port'), 'column "dst_port": cannot parse "abc" as integer');
    assert.equal(err('integer', '1.5'), 'column "c": cannot parse 1.5 as integer');
    assert.equal(err('integer', '"1.5"'), 'column "c": cannot parse "1.5" as integer');
    assert.equal(err('integer', '2147483648'), 'column "c": value 2147483648 is out of range for type integer');
    assert.equal(err('smallint', '40000'), 'column "c": value 40000 is out of range for type smallint');
    assert.match(err('integer', 'true'), /cannot parse true as integer/);
    assert.match(err('integer', '[1]'), /cannot parse \[1\] as integer/);
  });
  it('bigint exactly, also beyond 2^53', () => {
    assert.equal(ok('bigint', '42'), 42n);
    assert.equal(ok('bigint', '9007199254740993'), 9007199254740993n);
    assert.equal(ok('bigint', '-9223372036854775808'), -9223372036854775808n);
    assert.equal(ok('bigint', '"9223372036854775807"'), 9223372036854775807n);
    assert.equal(ok('bigint', '1e3'), 1000n);
    assert.equal(err('bigint', '9223372036854775808'), 'column "c": value 9223372036854775808 is out of range for type bigint');
    assert.equal(err('bigint', '1.5'), 'column "c": cannot parse 1.5 as bigint');
    const d = createJsonDecoder({ columns: [{ name: 'b', type: 'bigint' }], include: [] });
    const r = d.decode(msg('{"nested":{"b":1},"b" : 12345678901234567891 , "z":1}'.replace('12345678901234567891', '1234567890123456789')));
    assert.ok(r.ok);
    assert.equal(r.row[0], 1234567890123456789n, 'top-level member, not the nested one');
  });
  it('numeric exactly from numbers and strings', () => {
    assert.equal((ok('numeric', '1.10') as Numeric).toString(), '1.10');
    assert.equal((ok('numeric', '123456789012345678901234.5') as Numeric).toString(), '123456789012345678901234.5');
    assert.equal((ok('numeric', '"-0.001"') as Numeric).toString(), '-0.001');
    assert.match(err('numeric', '"ten"'), /cannot parse "ten" as numeric/);
  });
  it('real and double', () => {
    assert.equal(ok('double precision', '0.1'), 0.1);
    assert.equal(ok('double precision', '"NaN"'), NaN);
    assert.equal(ok('real', '0.1'), Math.fround(0.1));
    assert.equal(ok('double precision', '"1.5e3"'), 1500);
    assert.match(err('double precision', '"x"'), /cannot parse "x" as double precision/);
    assert.match(err('real', '1e300'), /out of range for type real/);
  });
});

describe('json decoder: other types', () => {
  it('boolean from JSON booleans and PostgreSQL words', () => {
    assert.equal(ok('boolean', 'true'), true);
    assert.equal(ok('boolean', '"off"'), false);
    assert.equal(ok('boolean', '"T"'), true);
    assert.match(err('boolean', '1'), /cannot parse 1 as boolean/);
    assert.match(err('boolean', '"maybe"'), /cannot parse "maybe" as boolean/);
  });
  it('varchar: strings as-is, numbers and booleans as their JSON text, objects rejected', () => {
    assert.equal(ok('varchar', '"héllo \\"x\\""'), 'héllo "x"');
    assert.equal(ok('varchar', '443'), '443');
    assert.equal(ok('varchar', '1.50'), '1.50', 'the exact source text');
    assert.equal(ok('varchar', '12345678901234567890'), '12345678901234567890');
    assert.equal(ok('varchar', 'false'), 'false');
    assert.match(err('varchar', '{"a":1}'), /cannot parse \{"a":1\} as varchar/);
  });
  it('jsonb from any JSON value; date and interval from text', () => {
    assert.deepEqual(ok('jsonb', '{"a":[1,"x",null]}'), new Jsonb({ a: [1, 'x', null] }));
    assert.deepEqual(ok('jsonb', '3'), new Jsonb(3));
    assert.equal(ok('date', '"2024-01-02"'), Date.UTC(2024, 0, 2) / 86_400_000);
    assert.deepEqual(ok('interval', '"1 day 02:00:00"'), { months: 0, days: 1, micros: 7_200_000_000 });
    assert.match(err('date', '20240102'), /cannot parse 20240102 as date/);
  });
});

describe('json decoder: messages', () => {
  const cols: Column[] = [
    { name: 'event_id', type: 'varchar' },
    { name: 'dst_port', type: 'integer' },
    { name: 'Action', type: 'varchar' },
    { name: 'constructor', type: 'varchar' },
  ];
  const d = createJsonDecoder({ columns: cols, include: [] });
  it('missing keys and JSON null are NULL; extra keys ignored; keys are case-sensitive', () => {
    const r = d.decode(msg('{"event_id":"e1","dst_port":null,"action":"deny","extra":{"deep":[1,2]}}'));
    assert.deepEqual(r, { ok: true, row: ['e1', null, null, null] });
    const r2 = d.decode(msg('{"constructor":"own","Action":"allow"}'));
    assert.deepEqual(r2, { ok: true, row: [null, null, 'allow', 'own'] });
  });
  it('dead-letter reasons', () => {
    assert.deepEqual(d.decode(msg(null)), { ok: false, error: 'message is empty' });
    assert.deepEqual(d.decode(msg('')), { ok: false, error: 'message is empty' });
    const notJson = d.decode(msg('{"event_id": '));
    assert.ok(!notJson.ok && notJson.error.startsWith('message is not valid JSON: '));
    assert.deepEqual(d.decode(msg('[1,2]')), { ok: false, error: 'message is not a JSON object (got an array)' });
    assert.deepEqual(d.decode(msg('"x"')), { ok: false, error: 'message is not a JSON object (got a string)' });
    assert.deepEqual(d.decode(msg('null')), { ok: false, error: 'message is not a JSON object (got null)' });
    assert.deepEqual(d.decode(msg('{"dst_port":"abc"}')), { ok: false, error: 'column "dst_port": cannot parse "abc" as integer' });
    const long = d.decode(msg(JSON.stringify({ dst_port: 'x'.repeat(500) })));
    assert.ok(!long.ok && long.error.length < 140, 'long values are truncated in reasons');
  });
  it('appends INCLUDE partition, offset, timestamp and key columns', () => {
    const include: IncludeColumn[] = [
      { what: 'partition', name: 'p' },
      { what: 'offset', name: 'o' },
      { what: 'timestamp', name: 't' },
      { what: 'key', name: 'k' },
      { what: 'offset', name: 'o2', type: 'varchar' },
      { what: 'key', name: 'kj', type: 'jsonb' },
    ];
    const dd = createJsonDecoder({ columns: [{ name: 'a', type: 'integer' }], include });
    const r = dd.decode(msg('{"a":1}', { key: Buffer.from('{"id":7}') }));
    assert.deepEqual(r, { ok: true, row: [1, 2, 41n, 1700000000123000, '{"id":7}', '41', new Jsonb({ id: 7 })] });
    const nullKey = dd.decode(msg('{"a":1}', { timestampMs: null }));
    assert.ok(nullKey.ok);
    assert.deepEqual(nullKey.row.slice(3), [null, null, '41', null]);
  });
  it('round-trips arbitrary rows written by JSON.stringify (property)', () => {
    const dd = createJsonDecoder({
      columns: [
        { name: 'i', type: 'integer' },
        { name: 'b', type: 'bigint' },
        { name: 's', type: 'varchar' },
        { name: 't', type: 'timestamptz' },
        { name: 'f', type: 'boolean' },
      ],
      include: [],
    });
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: -2147483648, max: 2147483647 })),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.string(),
        fc.integer({ min: 0, max: 4102444800000 }),
        fc.boolean(),
        (i, b, s, ms, f) => {
          const text = `{"i":${i === null ? 'null' : i},"b":${b.toString()},"s":${JSON.stringify(s)},"t":"${new Date(ms).toISOString()}","f":${f}}`;
          const r = dd.decode(msg(text));
          assert.ok(r.ok, r.ok ? '' : r.error);
          assert.deepEqual(r.row, [i, b, s, ms * 1000, f]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
