/**
 * JSON encoder: RisingWave's default type mapping per type, and PLAIN / UPSERT / DEBEZIUM over change
 * batches with (−old, +new) update pairs, inserts, deletes and weights above one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeChanges, formatIsoInterval, RowJsonEncoder } from '../../src/connectors/json-encoder.js';
import { Jsonb, type Column, type Row } from '../../src/common/types.js';
import { Numeric } from '../../src/common/numeric.js';
import type { Change } from '../../src/common/changes.js';

const TS = Date.UTC(2023, 10, 11, 18, 30, 9, 453) * 1000;

describe('json encoder: types', () => {
  it('maps every type the RisingWave way', () => {
    const cols: Column[] = [
      { name: 'b', type: 'boolean' },
      { name: 'i', type: 'integer' },
      { name: 'big', type: 'bigint' },
      { name: 'n', type: 'numeric' },
      { name: 's', type: 'varchar' },
      { name: 'tz', type: 'timestamptz' },
      { name: 'ts', type: 'timestamp' },
      { name: 'd', type: 'date' },
      { name: 'iv', type: 'interval' },
      { name: 'j', type: 'jsonb' },
      { name: 'f', type: 'double precision' },
      { name: 'z', type: 'varchar' },
    ];
    const row: Row = [
      true,
      7,
      12345678901234567891n,
      Numeric.fromString('123.450')!,
      'a "q"',
      TS,
      TS,
      0,
      { months: 13, days: 2, micros: 1_500_000 },
      new Jsonb({ b: [1, 2], a: 'x' }),
      0.5,
      null,
    ];
    assert.equal(
      new RowJsonEncoder(cols).encode(row),
      '{"b":true,"i":7,"big":12345678901234567891,"n":"123.450","s":"a \\"q\\"","tz":"2023-11-11T18:30:09.453000Z",' +
        '"ts":1699727409453,"d":719163,"iv":"P1Y1M2DT0H0M1.5S","j":"{\\"a\\": \\"x\\", \\"b\\": [1, 2]}","f":0.5,"z":null}',
    );
    assert.deepEqual(JSON.parse(new RowJsonEncoder([{ name: 'f', type: 'real' }]).encode([NaN])), { f: 'NaN' });
  });
  it('formats timestamps before 1970 and intervals with negative parts', () => {
    const enc = new RowJsonEncoder([
      { name: 'tz', type: 'timestamptz' },
      { name: 'ts', type: 'timestamp' },
    ]);
    assert.equal(enc.encode([-1, -1]), '{"tz":"1969-12-31T23:59:59.999999Z","ts":-1}');
    assert.equal(formatIsoInterval({ months: -1, days: 0, micros: -3_600_000_000 }), 'P0Y-1M0DT-1H0M0S');
  });
});

describe('json encoder: formats', () => {
  const cols: Column[] = [
    { name: 'id', type: 'integer' },
    { name: 'v', type: 'varchar' },
  ];
  const key = [0];
  const ch = (row: Row, weight: number): Change => ({ row, weight });
  const batch: Change[] = [
    ch([1, 'old'], -1), // update of key 1
    ch([2, 'new2'], 1), // insert of key 2
    ch([1, 'new'], 1),
    ch([3, 'gone'], -1), // delete of key 3
    ch([4, 'twice'], 2), // a row with weight 2
  ];

  it('PLAIN writes inserts and new sides of updates, drops deletes', () => {
    const out = encodeChanges('PLAIN', batch, cols, []);
    assert.deepEqual(out, [
      { key: null, value: '{"id":2,"v":"new2"}' },
      { key: null, value: '{"id":1,"v":"new"}' },
      { key: null, value: '{"id":4,"v":"twice"}' },
      { key: null, value: '{"id":4,"v":"twice"}' },
    ]);
    assert.equal(encodeChanges('PLAIN', batch, cols, key)[0]!.key, '{"id":2}');
  });

  it('UPSERT writes the new row per key, and a tombstone for a deleted key', () => {
    assert.deepEqual(encodeChanges('UPSERT', batch, cols, key), [
      { key: '{"id":1}', value: '{"id":1,"v":"new"}' },
      { key: '{"id":2}', value: '{"id":2,"v":"new2"}' },
      { key: '{"id":3}', value: null },
      { key: '{"id":4}', value: '{"id":4,"v":"twice"}' },
      { key: '{"id":4}', value: '{"id":4,"v":"twice"}' },
    ]);
    assert.throws(() => encodeChanges('UPSERT', batch, cols, []), /primary key/);
  });

  it('DEBEZIUM writes u/c/d envelopes with ts_ms, and a tombstone after a delete', () => {
    const out = encodeChanges('DEBEZIUM', batch.slice(0, 4), cols, key, { tsMs: 1700000000000 });
    assert.deepEqual(
      out.map((m) => [m.key, m.value === null ? null : JSON.parse(String(m.value))]),
      [
        ['{"id":1}', { before: { id: 1, v: 'old' }, after: { id: 1, v: 'new' }, op: 'u', ts_ms: 1700000000000 }],
        ['{"id":2}', { before: null, after: { id: 2, v: 'new2' }, op: 'c', ts_ms: 1700000000000 }],
        ['{"id":3}', { before: { id: 3, v: 'gone' }, after: null, op: 'd', ts_ms: 1700000000000 }],
        ['{"id":3}', null],
      ],
    );
    const noTomb = encodeChanges('DEBEZIUM', [ch([3, 'gone'], -1)], cols, key, { tsMs: 1, debeziumTombstones: false });
    assert.equal(noTomb.length, 1);
  });

  it('encodes the article alert row as RisingWave does', () => {
    const alertCols: Column[] = [
      { name: 'alert_type', type: 'varchar' },
      { name: 'entity', type: 'varchar' },
      { name: 'detected_at', type: 'timestamptz' },
      { name: 'description', type: 'varchar' },
    ];
    const out = encodeChanges('PLAIN', [ch(['brute_force', '198.18.0.9', TS, '40 failures in 5 min from 198.18.0.9'], 1)], alertCols, []);
    assert.equal(
      out[0]!.value,
      '{"alert_type":"brute_force","entity":"198.18.0.9","detected_at":"2023-11-11T18:30:09.453000Z","description":"40 failures in 5 min from 198.18.0.9"}',
    );
  });
});

describe('json encoder ∘ decoder', () => {
  it('decoding what the encoder wrote gives the row back (property)', async () => {
    const fc = (await import('fast-check')).default;
    const { createJsonDecoder } = await import('../../src/connectors/json-decoder.js');
    const cols: Column[] = [
      { name: 'i', type: 'integer' },
      { name: 'big', type: 'bigint' },
      { name: 'n', type: 'numeric' },
      { name: 's', type: 'varchar' },
      { name: 'tz', type: 'timestamptz' },
      { name: 'b', type: 'boolean' },
    ];
    const enc = new RowJsonEncoder(cols);
    const dec = createJsonDecoder({ columns: cols, include: [] });
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: -2147483648, max: 2147483647 })),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.integer({ min: 0, max: 6 }),
        fc.string({ unit: 'binary' }),
        fc.integer({ min: -62135596800000000, max: 253402300799000000 }),
        fc.boolean(),
        (i, big, unscaled, scale, s, tz, b) => {
          const row: Row = [i, big, new Numeric(unscaled, scale), s, tz, b];
          const r = dec.decode({ partition: 0, offset: '0', timestampMs: null, key: null, value: Buffer.from(enc.encode(row)) });
          assert.ok(r.ok, r.ok ? '' : r.error);
          assert.deepEqual(r.row, row);
        },
      ),
      { numRuns: 300 },
    );
  });
});
