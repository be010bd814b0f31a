/**
 * Text I/O of every type against the real PostgreSQL: the same literal cast to the same type must print the
 * same text, or fail with the same SQLSTATE and message; plus round-trip properties on random values.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatValueText, parseValueText, typeFromName, parseTypeName, pgTypeName } from '../../src/expr/text-io.js';
import { formatFloat4, formatFloat8 } from '../../src/expr/float-text.js';
import { compareValues } from '../../src/common/compare.js';
import { Jsonb, type SqlType, type Value } from '../../src/common/types.js';
import { Numeric } from '../../src/common/numeric.js';
import { PgOracle, capture, lit, type PgResult } from './expr-oracle.js';

let pg: PgOracle;
before(async () => {
  pg = await PgOracle.connect();
});
after(async () => {
  await pg.close();
});

const CASES: Record<string, string[]> = {
  boolean: ['t', 'true', 'TRUE', ' yes ', 'on', '1', 'f', 'false', 'no', 'off', '0', 'y', 'n', 'tr', 'of', 'o', 'abc', '', '2', 'truex'],
  smallint: ['0', '32767', '-32768', '32768', ' 12 ', '+5', 'abc', '1.5', '', '-'],
  integer: ['0', '42', '-42', ' 7', '2147483647', '-2147483648', '2147483648', '99999999999', 'abc', '1e3', '12a', '0x1F', '1_000'],
  bigint: ['0', '9223372036854775807', '-9223372036854775808', '9223372036854775808', ' 123 ', 'abc', '1.0'],
  real: ['1.1', '0.1', '1e6', '123456', '1234567', '3.4e38', '1e39', '1e-46', '1.17549435e-38', 'NaN', 'inf', '-Infinity', '-0', 'abc', '1e-10', '100000', '0.0001', '0.00001', '16777217'],
  'double precision': ['1.1', '0.1', '1e15', '1e14', '123456789012345678', '0.0001', '0.00001', '1.5e-7', '1e308', '1e309', '1e-400', '4.9e-324', '-0', 'NaN', 'Infinity', 'infinity', ' 3.25 ', 'abc', '1.', '.5', '1e', '2.5e+300', '0.30000000000000004', '-1.7976931348623157e308'],
  numeric: ['1.0', '1.50', '-0.001', '123456789012345678901234567890.123', '1e3', '1.5e-3', '.5', '5.', ' 7 ', 'abc', '1.2.3', '-.0', '00012.340'],
  text: ['hello', '', ' spaced ', "it's"],
  date: ['2024-01-01', '2024-02-29', '2023-02-29', '2024-13-01', '20240101', '1/2/2024', '0044-03-15 BC', '2024-01-01 10:11:12', 'infinity', '-infinity', 'epoch', 'abc', '2024-1-5', '0001-01-01', '9999-12-31', '4713-01-01 BC', '2024-01-01 BC', '0000-01-01', '10000-01-01', '2024-02-30', '2024/01/02', '13/01/2024', '2024-01-01T00:00', '99-01-01', '01/02/24', '5874897-12-31', '5874898-01-01', '4714-11-24 BC', '4714-11-23 BC', ' 2024-01-01 '],
  timestamp: [
    '2024-01-01 12:34:56', '2024-01-01T12:34:56.789', '2024-01-01 00:00:00.1234567', '2024-01-01 10:00:00+05', '2024-01-01',
    '2024-01-01 24:00:00', '2024-01-01 25:00:00', '2024-01-01 12:60:00', '1999-12-31 23:59:59.999999', '0044-03-15 10:00 BC',
    'infinity', 'epoch', 'garbage', '2024-01-01 12:34', '2024-01-01T12:34:56Z', '294276-12-31 00:00:00', '294277-01-01 00:00:00',
  ],
  timestamptz: [
    '2024-01-01 12:34:56+00', '2024-01-01 12:34:56Z', '2024-01-01T12:34:56.5+05:30', '2024-01-01 12:34:56-0800', '2024-01-01 12:34:56',
    '2024-06-01 12:00:00 UTC', '2024-06-01 12:00:00 America/New_York', '2024-01-01 12:00:00 Europe/Berlin', '2024-01-01', 'infinity',
    '-infinity', 'nonsense', '2024-01-01 12:00:00+16', '2023-11-11T18:30:09.453000Z', '2024-03-10 02:30:00 America/New_York',
    '2024-11-03 01:30:00 America/New_York', '1900-01-01 00:00:00 Asia/Kolkata', '2024-01-01 12:00:00.5 +05', '2024-01-01 12:00:00+5', '2024-01-01 12:00+05:30:15', '2024-01-01 12:00:00 +00:00', '2024-01-01 12:00:00 Z', '2024-01-01 12:00:00 utc', '2024-01-01 12:00:00 EST', '2024-01-01 12:00:00 PST8PDT', '2024-01-01T12', '2024-01-01 12', '2024-01-01 1:2:3', '2024-01-01  12:00:00', '2024-01-01 12:00:00.', '2024-01-01 12:00:60', '2024-01-01 12:00:59.9999999', '12:00:00', '2024-01-01 12:00:00 BC', '2024-01-01 12:00:00 +15:59', '2024-01-01 12:00:00 -15',
  ],
  interval: [
    '5 minutes', '1 hour', '2 days 03:00:00', 'P1D', 'P1Y2M3DT4H5M6.5S', 'PT1.5S', '1 day', '-1 day -2 hours', '1 year -2 mons',
    '-1 year 2 mons 3 days', '0', '1.5 days', '1.5 months', '1.5 years', '100 hours', '-1.5 seconds', '1 week', '1.5 weeks',
    '5 minutes ago', '3', '1:2', '1 2:03:04', '@ 1 minute', '10 mins', '1 mon', '2 mons', '1 decade', '1 century', '1 millennium',
    '1 ms', '1 microsecond', '1.000001 seconds', '-00:00:01', 'abc', '', '1 fortnight', '12:60:00', '25:00:00', '1d', '2 h 3 m',
    '1 year 1 year', '36 hours', '-1 2:03:04', '1 hour 10:00', '1.5', '.5 days', 'PT', 'P', 'P1M1.5D', '- 1 day', '1 hour 30', '1:30:45.123456789', '999999999 years', '178956970 years', '178956971 years', '2147483647 days', '2147483648 days', '1 min -1 sec', '-1:30', '+1:30', '1 day +1:30', '1 sec 500 ms', '1.5 mons', '1 second 1 millisecond 1 microsecond', '10 DAYS', '1 Hour', 'P1W', 'P-1D', 'PT-1H30M', 'P1.5Y', '1,5 days', '@1 day', '-0.5 days', '0.1 sec', '2.5 h', '00:00:60', '1:60', '-36 hours', '1 day -1 hour', '0.5 ms', '+1 day', '1 min 30 sec', '1.25 hours',
  ],
  jsonb: [
    '{"bb":1,"a":[1,2,{"c":"x\\u0001y"}],"ccc":2, "d": 1e21, "é":2, "z":3}', '[]', '{}', '[1, "a", null, true, false]', '"str"',
    '12', '-0.5', '1.5e-7', '{"a":1,"a":2}', '{"key with \\"quote\\"": "tab\\t"}', 'nope', '{"a":}', '  [1,  2]  ', '"\\u00e9"', '{"b":{"d":1,"c":2}}',
  ],
};

function sqlType(type: string): string {
  return type;
}

async function compareCase(type: string, input: string): Promise<void> {
  const t = typeFromName(type) as SqlType;
  const expected: PgResult = await pg.eval(`CAST(${lit(input)}::text AS ${sqlType(type)})`);
  const actual = capture(() => formatValueText(parseValueText(input, t, 'UTC'), t, 'UTC'));
  const label = `${type} ${JSON.stringify(input)}`;
  if (expected.ok) {
    assert.deepEqual(actual, expected, label);
  } else {
    assert.equal(actual.ok, false, `${label}: expected error ${expected.code} ${expected.message}, got ${JSON.stringify(actual)}`);
    if (!actual.ok) {
      assert.equal(actual.code, expected.code, `${label}: ${actual.message} vs ${expected.message}`);
      if (type !== 'jsonb') assert.equal(actual.message, expected.message, label);
    }
  }
}

for (const [type, inputs] of Object.entries(CASES)) {
  test(`text I/O matches PostgreSQL: ${type} (${inputs.length} cases)`, async () => {
    for (const input of inputs) await compareCase(type, input);
  });
}

test('timestamptz output follows the session TimeZone like PostgreSQL', async () => {
  const zones = ['UTC', '+05:30', 'UTC+3', '-02', 'America/New_York', 'Asia/Kolkata', 'Europe/London', 'Australia/Lord_Howe', 'America/Caracas'];
  const instants = ['2024-01-01 00:00:00+00', '2024-07-01 12:34:56.5+00', '1950-06-01 00:00:00+00', '2024-03-10 07:30:00+00', '2030-10-27 01:30:00+00'];
  const locals = ['2024-01-01 00:00:00', '2024-03-10 02:30:00', '2024-11-03 01:30:00', '2024-07-01 12:00:00'];
  try {
    for (const zone of zones) {
      await pg.exec(`SET TimeZone = ${lit(zone)}`);
      for (const text of [...instants, ...locals]) {
        const expected = await pg.eval(`CAST(${lit(text)}::text AS timestamptz)`);
        const actual = capture(() => formatValueText(parseValueText(text, 'timestamptz', zone), 'timestamptz', zone));
        assert.deepEqual(actual, expected, `${zone} ${text}`);
      }
    }
  } finally {
    await pg.exec("SET TimeZone = 'UTC'");
  }
});

test('double precision output equals PostgreSQL for random doubles', async () => {
  const samples = fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), { numRuns: 300, seed: 42 });
  const extras = [1e15, 1e14, 999999999999999.9, 0.0001, 0.000099999, 5e-324, 123.456, 1 / 3, 2 ** 53, -(2 ** 63)];
  for (const x of [...samples, ...extras]) {
    if (x === 0) continue;
    const r = await pg.eval(`${lit(x.toPrecision(17))}::float8::text`);
    assert.deepEqual({ ok: true, text: formatFloat8(x) }, r, String(x));
  }
});

test('real output equals PostgreSQL for random floats', async () => {
  const samples = fc.sample(fc.float({ noNaN: true, noDefaultInfinity: true }), { numRuns: 300, seed: 7 });
  for (const x of [...samples, Math.fround(0.1), Math.fround(1e6), Math.fround(999999.94), Math.fround(1.17549435e-38), Math.fround(-1506498.25)]) {
    if (x === 0) continue;
    const r = await pg.eval(`${lit(x.toPrecision(9))}::float4::text`);
    assert.deepEqual({ ok: true, text: formatFloat4(x) }, r, String(x));
  }
});

const MIN_TS = -210866803200000000;
const MAX_TS = 9.2243180159e18;
const arbTimestamp = fc.oneof(
  fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
  fc.integer({ min: -3_000_000_000, max: 5_000_000_000 }).map((s) => s * 1_000_000),
  fc.double({ min: MIN_TS, max: 9.2e18, noNaN: true }).map((x) => Math.round(x / 1e6) * 1e6),
);
const arbInterval = fc.record({
  months: fc.integer({ min: -2000, max: 2000 }),
  days: fc.integer({ min: -5000, max: 5000 }),
  micros: fc.oneof(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: -1000, max: 1000 }).map((h) => h * 3_600_000_000)),
});
const arbJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e20, max: 1e20 }).filter((x) => !Object.is(x, -0)),
    fc.string(),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 5 }), tie('node'), { maxKeys: 4 }),
  ),
})).node;

const ARBS: [SqlType, fc.Arbitrary<Value>][] = [
  ['boolean', fc.boolean()],
  ['smallint', fc.integer({ min: -32768, max: 32767 })],
  ['integer', fc.integer({ min: -2147483648, max: 2147483647 })],
  ['bigint', fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })],
  ['real', fc.float({ noNaN: true })],
  ['double precision', fc.double({ noNaN: true })],
  ['numeric', fc.record({ u: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), s: fc.integer({ min: 0, max: 20 }) }).map(({ u, s }) => new Numeric(u, s))],
  ['text', fc.string()],
  ['timestamp', arbTimestamp.filter((x) => x >= MIN_TS && x <= MAX_TS)],
  ['timestamptz', arbTimestamp.filter((x) => x >= MIN_TS && x <= MAX_TS)],
  ['date', fc.integer({ min: -2440588, max: 2145042905 })],
  ['interval', arbInterval],
  ['jsonb', arbJson.map((j) => new Jsonb(j))],
];

for (const [type, arb] of ARBS) {
  test(`property: parse(format(v)) == v and PostgreSQL prints format(v) back unchanged: ${type}`, async () => {
    const values = fc.sample(arb, { numRuns: 150, seed: 1234 });
    for (const v of values) {
      for (const zone of type === 'timestamptz' ? ['UTC', 'Asia/Kolkata'] : ['UTC']) {
        const text = formatValueText(v, type, zone);
        const back = parseValueText(text, type, zone);
        assert.equal(compareValues(back, v), 0, `${type} ${text}`);
        if (type === 'jsonb' || type === 'text') assert.equal(formatValueText(back, type), text);
        if (type === 'numeric') assert.equal(formatValueText(back, type), text);
        if (zone !== 'UTC') await pg.exec(`SET TimeZone = ${lit(zone)}`);
        const r = await pg.eval(`CAST($1::text AS ${type})`, [text]);
        if (zone !== 'UTC') await pg.exec("SET TimeZone = 'UTC'");
        assert.deepEqual(r, { ok: true, text }, `${type} ${text}`);
      }
    }
  });
}

test('typeFromName maps PostgreSQL names and aliases', () => {
  const cases: [string, SqlType | null][] = [
    ['int', 'integer'], ['INT4', 'integer'], ['integer', 'integer'], ['int8', 'bigint'], ['bigint', 'bigint'], ['int2', 'smallint'],
    ['smallint', 'smallint'], ['float8', 'double precision'], ['double  precision', 'double precision'], ['float', 'double precision'],
    ['float(24)', 'real'], ['float(25)', 'double precision'], ['real', 'real'], ['float4', 'real'], ['varchar(10)', 'varchar'],
    ['character varying', 'varchar'], ['character varying(5)', 'varchar'], ['timestamp with time zone', 'timestamptz'],
    ['timestamptz', 'timestamptz'], ['timestamp', 'timestamp'], ['timestamp without time zone', 'timestamp'],
    ['timestamp(3) with time zone', 'timestamptz'], ['bool', 'boolean'], ['boolean', 'boolean'], ['decimal', 'numeric'],
    ['numeric(10,2)', 'numeric'], ['text', 'text'], ['jsonb', 'jsonb'], ['date', 'date'], ['interval', 'interval'],
    ['interval hour to minute', 'interval'], ['pg_catalog.int4', 'integer'], ['"varchar"', 'varchar'], ['blob', null], ['json', null],
  ];
  for (const [name, t] of cases) assert.equal(typeFromName(name), t, name);
  assert.deepEqual(parseTypeName('numeric(10, 2)'), { type: 'numeric', precision: 10, scale: 2 });
  assert.deepEqual(parseTypeName('varchar(3)'), { type: 'varchar', length: 3 });
  assert.deepEqual(parseTypeName('timestamptz(3)'), { type: 'timestamptz', secondsPrecision: 3 });
  for (const t of ['boolean', 'smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric', 'varchar', 'text', 'timestamp', 'timestamptz', 'date', 'interval', 'jsonb'] as SqlType[]) {
    assert.equal(typeFromName(pgTypeName(t)), t);
  }
});
