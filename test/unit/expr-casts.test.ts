/**
 * Casts against the real PostgreSQL: every (from, to) pair sluice supports, on edge values, must give the
 * same text or the same SQLSTATE and message; castContext must agree with pg_cast (plus PostgreSQL's
 * automatic I/O conversions to and from string types).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { castValue, castContext, applyTypeModifier } from '../../src/expr/casts.js';
import { formatValueText, parseValueText, parseTypeName, pgTypeName } from '../../src/expr/text-io.js';
import type { SqlType } from '../../src/common/types.js';
import { PgOracle, capture, lit } from './expr-oracle.js';

let pg: PgOracle;
before(async () => {
  pg = await PgOracle.connect();
});
after(async () => {
  await pg.close();
});

const TYPES: SqlType[] = ['boolean', 'smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric', 'varchar', 'text', 'timestamp', 'timestamptz', 'date', 'interval', 'jsonb'];

const SAMPLES: Record<SqlType, string[]> = {
  boolean: ['true', 'false'],
  smallint: ['0', '1', '-32768', '32767'],
  integer: ['0', '1', '-7', '2147483647', '-2147483648', '40000'],
  bigint: ['0', '-1', '9223372036854775807', '-9223372036854775808', '3000000000', '40000'],
  real: ['0', '1.5', '2.5', '-2.5', '3.4e38', '1e-30', '123456.7', 'NaN', '-Infinity', '32767.5', '0.1'],
  'double precision': ['0', '0.1', '2.5', '3.5', '-0.5', '1e300', '1e-50', '2147483647.4', '2147483647.6', '9.2233720368547758e18', '1.2345678901234567', 'Infinity', '1e20'],
  numeric: ['0', '1.5', '-2.5', '2.4999', '123456789012345678901234567890', '32767.49', '32767.5', '0.000001', '1e-50', '9223372036854775807.5'],
  varchar: ['abc', '12', ' t ', '2024-01-01 10:00:00', '1 day', '{"a": 1}', '1.5', 'x'],
  text: ['abc', '-12', 'yes', '2024-02-29', '2024-01-01 10:00:00+02', 'P1D', '[1, 2]', '1e5', ''],
  timestamp: ['2024-01-01 10:11:12.5', '1970-01-01 00:00:00', '0044-03-15 12:00:00 BC', 'infinity'],
  timestamptz: ['2024-01-01 10:11:12.5+00', '2024-06-30 23:30:00-02', '-infinity'],
  date: ['2024-02-29', '1970-01-01', '0001-01-01 BC', 'infinity'],
  interval: ['1 day 02:00:00', '-1 mons', '00:00:00.5'],
  jsonb: ['1', '1.5', '-2.5', 'true', '"str"', 'null', '{"a": 1}', '[1]', '40000', '1e10'],
  unknown: [],
};

async function checkCast(from: SqlType, to: SqlType, input: string, zone: string): Promise<void> {
  const expected = await pg.eval(`CAST(CAST(${lit(input)} AS ${pgTypeName(from)}) AS ${pgTypeName(to)})`);
  const actual = capture(() => formatValueText(castValue(parseValueText(input, from, zone), from, to, zone), to, zone));
  const label = `${input}::${from}::${to} (${zone})`;
  if (expected.ok) assert.deepEqual(actual, expected, label);
  else {
    assert.equal(actual.ok, false, `${label}: expected ${expected.code} ${expected.message}, got ${JSON.stringify(actual)}`);
    if (!actual.ok) {
      assert.equal(actual.code, expected.code, `${label}: ${actual.message} / ${expected.message}`);
      if (from !== 'jsonb' || actual.code !== '22P02') assert.equal(actual.message, expected.message, label);
    }
  }
}

for (const from of TYPES) {
  test(`casts from ${from} match PostgreSQL`, async () => {
    let checked = 0;
    for (const to of TYPES) {
      if (castContext(from, to) === null) continue;
      for (const input of SAMPLES[from]) {
        // sluice has no numeric NaN/Infinity; those casts are documented differences.
        if (to === 'numeric' && /nan|inf/i.test(input)) continue;
        await checkCast(from, to, input, 'UTC');
        checked++;
      }
    }
    assert.ok(checked > 0);
  });
}

test('timestamp/timestamptz/date casts follow the session TimeZone', async () => {
  const pairs: [SqlType, SqlType, string][] = [
    ['timestamptz', 'timestamp', '2024-03-10 07:30:00+00'],
    ['timestamptz', 'date', '2024-01-01 03:00:00+00'],
    ['timestamp', 'timestamptz', '2024-03-10 02:30:00'],
    ['timestamp', 'timestamptz', '2024-11-03 01:30:00'],
    ['date', 'timestamptz', '2024-07-01'],
    ['timestamptz', 'text', '2024-07-01 12:00:00+00'],
    ['text', 'timestamptz', '2024-07-01 12:00:00'],
  ];
  try {
    for (const zone of ['America/New_York', '+05:30', 'Asia/Kolkata']) {
      await pg.exec(`SET TimeZone = ${lit(zone)}`);
      for (const [from, to, input] of pairs) await checkCast(from, to, input, zone);
    }
  } finally {
    await pg.exec("SET TimeZone = 'UTC'");
  }
});

test('castContext agrees with pg_cast and the automatic I/O conversion rules', async () => {
  const names = TYPES.map(pgTypeName);
  const rows = await pg.eval(
    `string_agg(castsource::regtype || '>' || casttarget::regtype || '>' || castcontext::text, ';') FROM pg_cast WHERE castsource::regtype::text = ANY($1) AND casttarget::regtype::text = ANY($1)`,
    ['{' + names.map((n) => `"${n}"`).join(',') + '}'],
  );
  assert.ok(rows.ok && rows.text, JSON.stringify(rows));
  const catalog = new Map<string, string>();
  for (const entry of rows.text.split(';')) {
    const [s, t, c] = entry.split('>');
    catalog.set(`${s}>${t}`, c!);
  }
  const word = { i: 'implicit', a: 'assignment', e: 'explicit' } as const;
  for (const from of TYPES) {
    for (const to of TYPES) {
      const key = `${pgTypeName(from)}>${pgTypeName(to)}`;
      let expected: string | null;
      if (from === to) expected = 'implicit';
      else if (catalog.has(key)) expected = word[catalog.get(key) as 'i' | 'a' | 'e'];
      else if (to === 'text' || to === 'varchar') expected = 'assignment';
      else if (from === 'text' || from === 'varchar') expected = 'explicit';
      else expected = null;
      assert.equal(castContext(from, to), expected, key);
    }
    assert.equal(castContext('unknown', from), 'implicit');
  }
});

test('type modifiers: numeric(p,s), varchar(n), timestamp(p) match PostgreSQL', async () => {
  const cases: [string, string, string][] = [
    ['12.345', 'numeric', 'numeric(4,2)'], ['12.345', 'numeric', 'numeric(3,2)'], ['-0.005', 'numeric', 'numeric(3,2)'],
    ['999.995', 'numeric', 'numeric(5,2)'], ['0.5', 'numeric', 'numeric(2,2)'], ['7', 'numeric', 'numeric(3)'],
    ['abcd', 'text', 'varchar(2)'], ['ab  ', 'text', 'varchar(2)'], ['ab', 'text', 'varchar(5)'],
    ['2024-01-01 10:00:00.123456', 'timestamp', 'timestamp(3)'], ['2024-01-01 10:00:00.9995', 'timestamp', 'timestamp(3)'],
    ['2024-01-01 10:00:00.5+00', 'timestamptz', 'timestamptz(0)'], ['1.23456 seconds', 'interval', 'interval(2)'],
  ];
  for (const [input, from, target] of cases) {
    const spec = parseTypeName(target)!;
    const fromType = from as SqlType;
    const expected = await pg.eval(`CAST(CAST(${lit(input)} AS ${from}) AS ${target})`);
    const actual = capture(() => formatValueText(applyTypeModifier(castValue(parseValueText(input, fromType), fromType, spec.type), spec, true), spec.type));
    if (expected.ok) assert.deepEqual(actual, expected, `${input}::${target}`);
    else assert.deepEqual(actual.ok ? actual : { code: actual.code, message: actual.message }, { code: expected.code, message: expected.message }, `${input}::${target}`);
  }
  // Assignment (not explicit) to varchar(n) refuses to cut non-space characters.
  assert.throws(() => applyTypeModifier('abcd', { type: 'varchar', length: 2 }, false), { code: '22001', message: 'value too long for type character varying(2)' });
  assert.equal(applyTypeModifier('ab  ', { type: 'varchar', length: 2 }, false), 'ab');
});
