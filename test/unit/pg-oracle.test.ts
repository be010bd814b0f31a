/**
 * The PostgreSQL oracle harness against the real server on 127.0.0.1:5432: typed tables from sluice SqlTypes,
 * bulk text-form inserts, text-form results (no pg type parsing), multiset comparison and its diff message.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { assertSameRows, compareMultisets, oracleConnection, withOracle } from '../harness/pg-oracle.js';
import type { Column } from '../../src/common/types.js';

const AUTH_EVENTS: Column[] = [
  { name: 'event_id', type: 'varchar' },
  { name: 'user_id', type: 'varchar' },
  { name: 'source_ip', type: 'varchar' },
  { name: 'event_type', type: 'varchar' },
  { name: 'event_time', type: 'timestamptz' },
  { name: 'bytes', type: 'bigint' },
  { name: 'score', type: 'numeric' },
  { name: 'ok', type: 'boolean' },
  { name: 'doc', type: 'jsonb' },
];

describe('pg oracle', () => {
  it('loads rows in text form and returns PostgreSQL text output', async () => {
    await withOracle(async (o) => {
      await o.createTable('auth_events', AUTH_EVENTS);
      await o.insert('auth_events', [
        ['e1', 'alice', '10.0.0.1', 'login_failure', '2017-12-10T06:55:48.000Z', '9007199254740993', '1.50', 't', '{"b":1,"a":[1,2]}'],
        ['e2', 'bob', '10.0.0.1', 'login_failure', '2017-12-10 06:57:00+02', '1', '2', 'false', null],
        ['e3', null, '10.0.0.2', 'login_success', '2017-12-10 07:01:00Z', null, null, null, 'null'],
      ]);
      const rows = await o.query(
        `SELECT event_id, user_id, event_time, bytes, score, ok, doc FROM auth_events ORDER BY event_id`,
      );
      assert.deepEqual(rows, [
        ['e1', 'alice', '2017-12-10 06:55:48+00', '9007199254740993', '1.50', 't', '{"a": [1, 2], "b": 1}'],
        ['e2', 'bob', '2017-12-10 04:57:00+00', '1', '2', 'f', null],
        ['e3', null, '2017-12-10 07:01:00+00', null, null, null, 'null'],
      ]);
      const agg = await o.queryResult(
        `SELECT source_ip, COUNT(*) FILTER (WHERE event_type = 'login_failure') AS failures,
                COUNT(DISTINCT user_id) AS accounts,
                window_start
           FROM (SELECT *, date_bin('5 minutes', event_time, TIMESTAMPTZ '1970-01-01') AS window_start FROM auth_events) w
          GROUP BY source_ip, window_start`,
      );
      assert.deepEqual(agg.fields.map((f) => [f.name, f.typeOid]), [
        ['source_ip', 1043],
        ['failures', 20],
        ['accounts', 20],
        ['window_start', 1184],
      ]);
      assertSameRows(
        agg.rows,
        [
          ['10.0.0.2', '0', '0', '2017-12-10 07:00:00+00'],
          ['10.0.0.1', '1', '1', '2017-12-10 06:55:00+00'],
          ['10.0.0.1', '1', '1', '2017-12-10 04:55:00+00'],
        ],
        'window aggregate',
      );
      assert.deepEqual(await o.query(`SELECT 0.1::float8 + 0.2, 1.5::real, '1 day 02:00'::interval`), [
        ['0.30000000000000004', '1.5', '1 day 02:00:00'],
      ]);
      assert.deepEqual(await o.query(`SELECT $1::int + 1`, ['41']), [['42']]);
    });
  });

  it('inserts in bulk (more rows than one statement can bind)', async () => {
    await withOracle(async (o) => {
      await o.createTable('t', [
        { name: 'k', type: 'integer' },
        { name: 'v', type: 'text' },
      ]);
      const rows = Array.from({ length: 20_000 }, (_, i) => [String(i % 7), `v${i}`]);
      await o.insert('t', rows);
      assert.deepEqual(await o.query(`SELECT k, COUNT(*) FROM t GROUP BY k ORDER BY k`), [
        ['0', '2858'], ['1', '2857'], ['2', '2857'], ['3', '2857'], ['4', '2857'], ['5', '2857'], ['6', '2857'],
      ]);
    });
  });

  it('drops its schema afterwards', async () => {
    const schema = await withOracle(async (o) => {
      await o.createTable('gone', [{ name: 'x', type: 'integer' }]);
      return o.schema;
    });
    const client = new pg.Client(oracleConnection());
    await client.connect();
    try {
      const res = await client.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1`, [schema]);
      assert.equal(res.rows[0].n, 0);
    } finally {
      await client.end();
    }
  });

  it('compares multisets: order is ignored, multiplicity is not', () => {
    assert.equal(compareMultisets([['1', 'a'], ['2', null]], [['2', null], ['1', 'a']]).equal, true);
    const diff = compareMultisets(
      [['1', 'a'], ['1', 'a'], ['3', 'has space']],
      [['1', 'a'], ['2', null]],
    );
    assert.equal(diff.equal, false);
    assert.deepEqual(diff.missing, [['2', null]]);
    assert.deepEqual(diff.unexpected, [['1', 'a'], ['3', 'has space']]);
    assert.equal(
      diff.message,
      [
        'rows differ: 1 missing, 2 unexpected (actual 3 rows, expected 2)',
        '  missing (expected, not in actual):',
        '    - 2 | NULL',
        '  unexpected (in actual, not expected):',
        "    + 1 | a",
        "    + 3 | 'has space'",
      ].join('\n'),
    );
    assert.deepEqual(compareMultisets([[null]], [['NULL']]).equal, false, 'NULL differs from the string NULL');
  });

  it('reports a deliberate mismatch against PostgreSQL with a diff', async () => {
    await withOracle(async (o) => {
      await o.createTable('t', [{ name: 'x', type: 'integer' }]);
      await o.insert('t', [['1'], ['2'], ['2']]);
      const actual = await o.query('SELECT x FROM t');
      assert.throws(
        () => assertSameRows(actual, [['1'], ['2']], 'deliberate'),
        (e: Error) => {
          assert.match(e.message, /^deliberate: rows differ: 0 missing, 1 unexpected \(actual 3 rows, expected 2\)/);
          assert.match(e.message, /\+ 2$/m);
          return true;
        },
      );
    });
  });
});
