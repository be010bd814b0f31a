/**
 * Aggregate signatures against the real PostgreSQL: for every aggregate × argument type, the result type
 * (pg_typeof) or the error code must match.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAggregate, isAggregateName } from '../../src/expr/aggregates.js';
import { pgTypeName } from '../../src/expr/text-io.js';
import type { SqlType } from '../../src/common/types.js';
import { PgOracle } from './expr-oracle.js';

let pg: PgOracle;
before(async () => {
  pg = await PgOracle.connect();
});
after(async () => {
  await pg.close();
});

const TYPES: SqlType[] = ['boolean', 'smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric', 'varchar', 'text', 'timestamp', 'timestamptz', 'date', 'interval', 'jsonb'];
const AGGS = ['count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'stddev', 'variance', 'var_pop', 'jsonb_agg'];

test('aggregate result types match PostgreSQL for every argument type', async () => {
  for (const name of AGGS) {
    for (const t of TYPES) {
      const e = await pg.eval(`pg_typeof(${name}(x))::text FROM (SELECT NULL::${pgTypeName(t)} AS x) s`);
      let actual: string;
      try {
        actual = pgTypeName(resolveAggregate(name, [t], false).returnType);
      } catch (err) {
        actual = 'ERR ' + (err as { code: string }).code;
      }
      assert.equal(actual, e.ok ? e.text : 'ERR ' + e.code, `${name}(${t})`);
    }
  }
});

test('count(*), count(DISTINCT), string_agg and errors', async () => {
  assert.equal(resolveAggregate('count', [], false).returnType, 'bigint');
  assert.equal(resolveAggregate('COUNT', ['varchar'], true).returnType, 'bigint');
  const sa = resolveAggregate('string_agg', ['varchar', 'unknown'], false);
  assert.deepEqual(sa, { name: 'string_agg', argTypes: ['text', 'text'], returnType: 'text' });
  assert.deepEqual(resolveAggregate('max', ['varchar']).argTypes, ['text']);
  assert.throws(() => resolveAggregate('sum', ['boolean']), { code: '42883', message: 'function sum(boolean) does not exist' });
  assert.throws(() => resolveAggregate('sum', ['unknown']), { code: '42725', message: 'function sum(unknown) is not unique' });
  const e = await pg.eval(`pg_typeof(string_agg(x, ','))::text FROM (SELECT NULL::varchar AS x) s`);
  assert.equal(e.ok && e.text, 'text');
  assert.equal(isAggregateName('Count'), true);
  assert.equal(isAggregateName('lower'), false);
});
