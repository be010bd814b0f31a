/**
 * COPY TO STDOUT formatting vs the real PostgreSQL: the same text cells produce the same bytes as
 * PostgreSQL's own COPY (text and CSV, with HEADER and custom delimiter/NULL), read through psql.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { formatCopyHeader, formatCopyLine, type CopyOptions } from '../../src/server/protocol/copy-format.js';

const ROWS: (string | null)[][] = [
  ['plain', 'a\tb', null],
  ['back\\slash', 'new\nline\rcr', ''],
  ['quote"d', 'comma,x', '\\.'],
  ['semi;colon', ' spaced ', 'ünï'],
];
const NAMES = ['c1', 'col two', 'c"3'];

function sqlLiteral(s: string | null): string {
  if (s === null) return 'NULL::text';
  return `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

function postgresCopy(options: string): string {
  const values = ROWS.map((r) => `(${r.map(sqlLiteral).join(', ')})`).join(', ');
  const cols = NAMES.map((n) => `"${n.replace(/"/g, '""')}"`).join(', ');
  const sql = `COPY (SELECT * FROM (VALUES ${values}) AS v(${cols})) TO STDOUT ${options}`;
  return execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-X', '-q', '-c', sql], { encoding: 'utf8', timeout: 20_000 });
}

function ours(o: CopyOptions, header: boolean): string {
  return (header ? formatCopyHeader(NAMES, o) : '') + ROWS.map((r) => formatCopyLine(r, o)).join('');
}

test('text format matches PostgreSQL', () => {
  assert.equal(ours({ format: 'text', delimiter: '\t', nullString: '\\N' }, false), postgresCopy(''));
  assert.equal(ours({ format: 'text', delimiter: ';', nullString: 'NULL' }, true), postgresCopy("WITH (FORMAT text, DELIMITER ';', NULL 'NULL', HEADER)"));
});

test('csv format matches PostgreSQL', () => {
  assert.equal(ours({ format: 'csv', delimiter: ',', nullString: '' }, false), postgresCopy('WITH (FORMAT csv)'));
  assert.equal(ours({ format: 'csv', delimiter: ',', nullString: '' }, true), postgresCopy('WITH (FORMAT csv, HEADER)'));
  assert.equal(ours({ format: 'csv', delimiter: ';', nullString: 'N/A' }, true), postgresCopy("WITH (FORMAT csv, HEADER, DELIMITER ';', NULL 'N/A')"));
});
