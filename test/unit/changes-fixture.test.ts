/**
 * The textual change-batch fixture (test/harness/changes.ts): parsing typed fields, update pairs, errors,
 * formatting, and the Z-set helpers consolidate / integrate / assertSameChanges; plus a round-trip property.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  assertSameChanges,
  consolidate,
  formatChanges,
  integrate,
  parseChanges,
  parseInterval,
  parseTimestampMicros,
  sameChanges,
  toRows,
} from '../harness/changes.js';
import { Jsonb, type SqlType, type Value } from '../../src/common/types.js';
import { Numeric } from '../../src/common/numeric.js';
import type { ChangeBatch } from '../../src/common/changes.js';

describe('parseChanges', () => {
  it('parses +, -, U-/U+ and typed fields', () => {
    const types: SqlType[] = ['integer', 'varchar'];
    const batch = parseChanges(
      `
      # comment
      + 1 a
      - 1 a
      U- 2 b
      U+ 2 'c d'
      +3 4 'it''s'
      -2 5 NULL
      + 6 'NULL'
      `,
      types,
    );
    assert.deepEqual(batch, [
      { row: [1, 'a'], weight: 1 },
      { row: [1, 'a'], weight: -1 },
      { row: [2, 'b'], weight: -1 },
      { row: [2, 'c d'], weight: 1 },
      { row: [4, "it's"], weight: 3 },
      { row: [5, null], weight: -2 },
      { row: [6, 'NULL'], weight: 1 },
    ]);
  });

  it('types every column kind', () => {
    const types: SqlType[] = ['bigint', 'timestamptz', 'boolean', 'numeric', 'double precision', 'date', 'interval', 'jsonb', 'timestamp'];
    const [c] = parseChanges(
      `+ 9007199254740993 2017-12-10T06:55:48.123456Z true 1.50 2.5 2017-12-10 '1 day 02:00:00' '{"a": [1]}' '2017-12-10 06:55:48'`,
      types,
    );
    const row = c!.row;
    assert.equal(row[0], 9007199254740993n);
    assert.equal(row[1], Date.UTC(2017, 11, 10, 6, 55, 48) * 1000 + 123456);
    assert.equal(row[2], true);
    assert.deepEqual(row[3], new Numeric(150n, 2));
    assert.equal(row[4], 2.5);
    assert.equal(row[5], Date.UTC(2017, 11, 10) / 86_400_000);
    assert.deepEqual(row[6], { months: 0, days: 1, micros: 7_200_000_000 });
    assert.deepEqual(row[7], new Jsonb({ a: [1] }));
    assert.equal(row[8], Date.UTC(2017, 11, 10, 6, 55, 48) * 1000);
    assert.deepEqual(parseChanges('+ f F false t', ['boolean', 'boolean', 'boolean', 'boolean'])[0]!.row, [false, false, false, true]);
  });

  it('parses timestamps with zone offsets and intervals in PostgreSQL forms', () => {
    assert.equal(parseTimestampMicros('2017-12-10 08:55:48+02'), parseTimestampMicros('2017-12-10T06:55:48Z'));
    assert.equal(parseTimestampMicros('2017-12-10T01:25:48-05:30'), parseTimestampMicros('2017-12-10T06:55:48Z'));
    assert.equal(parseTimestampMicros('1970-01-01'), 0);
    assert.equal(parseTimestampMicros('not a time'), null);
    assert.deepEqual(parseInterval('5 minutes'), { months: 0, days: 0, micros: 300_000_000 });
    assert.deepEqual(parseInterval('1 year 2 mons -3 days -04:05:06.5'), { months: 14, days: -3, micros: -14_706_500_000 });
    assert.equal(parseInterval('5 fortnights'), null);
  });

  it('reports malformed fixtures with the line number', () => {
    const t: SqlType[] = ['integer', 'varchar'];
    assert.throws(() => parseChanges('+ 1', t), /line 1: 1 fields for 2 columns/);
    assert.throws(() => parseChanges('+ 1 a\n* 2 b', t), /line 2: expected \+, -, U-, U\+/);
    assert.throws(() => parseChanges('+ x a', t), /line 1, column 1: 'x' is not a valid integer/);
    assert.throws(() => parseChanges('U+ 1 a', t), /line 1: U\+ without a preceding U-/);
    assert.throws(() => parseChanges('U- 1 a\n+ 2 b', t), /line 1: U- not followed by U\+/);
    assert.throws(() => parseChanges('U- 1 a', t), /line 1: U- not followed by U\+/);
    assert.throws(() => parseChanges("+ 1 'open", t), /line 1: unterminated quoted field/);
    assert.throws(() => parseChanges('+ 3000000000 a', t), /not a valid integer/);
  });
});

describe('formatChanges', () => {
  it('formats weights and quotes strings that need it', () => {
    const types: SqlType[] = ['integer', 'text', 'timestamptz'];
    const batch: ChangeBatch = [
      { row: [1, 'a', 0], weight: 1 },
      { row: [2, 'two words', 1_500_000], weight: -1 },
      { row: [3, '', null], weight: 3 },
      { row: [4, 'NULL', 1], weight: -2 },
    ];
    assert.equal(
      formatChanges(batch, types),
      [
        '+ 1 a 1970-01-01T00:00:00Z',
        "- 2 'two words' 1970-01-01T00:00:01.5Z",
        "+3 3 '' NULL",
        "-2 4 'NULL' 1970-01-01T00:00:00.000001Z",
      ].join('\n'),
    );
    assert.deepEqual(parseChanges(formatChanges(batch, types), types), batch);
  });

  it('sorted form consolidates and orders rows (NULLs last)', () => {
    const t: SqlType[] = ['integer', 'varchar'];
    const text = formatChanges(parseChanges('+ 2 b\n+ NULL x\n+ 1 a\n- 2 b\n+ 1 a', t), t, { sorted: true });
    assert.equal(text, '+2 1 a\n+ NULL x');
  });
});

describe('Z-set helpers', () => {
  const t: SqlType[] = ['integer', 'varchar'];

  it('consolidate sums weights per row and drops zeros', () => {
    assert.deepEqual(consolidate(parseChanges('+ 1 a\n+ 2 b\n- 1 a\n+ 2 b\n+ 3 c', t)), [
      { row: [2, 'b'], weight: 2 },
      { row: [3, 'c'], weight: 1 },
    ]);
  });

  it('integrate applies a stream of batches, update pairs included', () => {
    const epochs = [
      parseChanges('+ 1 a\n+ 2 b', t),
      parseChanges('U- 2 b\nU+ 2 c\n+ 1 a', t),
      parseChanges('- 1 a', t),
    ];
    assert.deepEqual(integrate(epochs), [
      { row: [1, 'a'], weight: 1 },
      { row: [2, 'c'], weight: 1 },
    ]);
    assert.deepEqual(toRows(parseChanges('+2 1 a\n+ 0 z', t)), [[0, 'z'], [1, 'a'], [1, 'a']]);
    assert.throws(() => toRows(parseChanges('- 1 a', t)), /negative multiplicity -1/);
  });

  it('assertSameChanges ignores order and splitting, and shows a diff on mismatch', () => {
    const actual = parseChanges('+ 1 a\n+ 1 a\n- 2 b', t);
    assert.equal(sameChanges(actual, parseChanges('- 2 b\n+2 1 a', t)), true);
    assertSameChanges(actual, '- 2 b\n+2 1 a', t);
    assert.throws(
      () => assertSameChanges(actual, '+ 1 a\n- 2 b\n+ 3 c', t, 'join output'),
      (e: Error) => {
        assert.equal(
          e.message,
          [
            'join output: change batches differ',
            '  actual:',
            '    +2 1 a',
            '    - 2 b',
            '  expected:',
            '    + 1 a',
            '    - 2 b',
            '    + 3 c',
            '  actual − expected:',
            '    + 1 a',
            '    - 3 c',
          ].join('\n'),
        );
        return true;
      },
    );
  });

  it('round-trips any well-typed batch through text (property)', () => {
    const types: SqlType[] = ['integer', 'bigint', 'text', 'boolean', 'timestamptz', 'numeric', 'double precision', 'interval'];
    const nullable = <T extends Value>(a: fc.Arbitrary<T>): fc.Arbitrary<Value> => fc.option(a, { nil: null, freq: 5 });
    const row = fc.tuple(
      nullable(fc.integer()),
      nullable(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
      nullable(fc.string({ unit: 'grapheme-ascii' }).filter((s) => !/[\n\r]/.test(s))),
      nullable(fc.boolean()),
      nullable(fc.integer({ min: -2_208_988_800_000, max: 4_102_444_800_000 }).chain((ms) => fc.integer({ min: 0, max: 999 }).map((us) => ms * 1000 + us))),
      nullable(fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 8 })).map(([u, s]) => new Numeric(u, s))),
      nullable(fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d))),
      nullable(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1e12, max: 1e12 })).map(([months, days, micros]) => ({ months, days, micros }))),
    );
    const weight = fc.integer({ min: -5, max: 5 }).filter((w) => w !== 0);
    fc.assert(
      fc.property(fc.array(fc.tuple(row, weight).map(([r, w]) => ({ row: r, weight: w })), { maxLength: 20 }), (batch) => {
        const text = formatChanges(batch, types);
        assert.deepEqual(parseChanges(text, types), batch);
      }),
      { numRuns: 300 },
    );
  });
});
