/**
 * JSON-lines file source: plain and gzip files, line-number offsets (empty lines and CRLF), resume from
 * position(), the bounded buffer with a paused stream, and a missing file reported as failed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createFileSource, type FileSource } from '../../src/connectors/file-source.js';
import type { SourceMessage } from '../../src/connectors/types.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-file-source-'));

async function drain(s: FileSource, into: SourceMessage[] = [], batch = 1000): Promise<SourceMessage[]> {
  for (let i = 0; i < 2000 && !s.isFinished(); i++) {
    into.push(...s.poll(batch));
    if (!s.isFinished()) await new Promise((r) => setTimeout(r, 5));
  }
  return into;
}

describe('file source', () => {
  const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ i, s: `line ${i}` }));
  const text = lines.slice(0, 3).join('\r\n') + '\n\n' + lines.slice(3).join('\n'); // CRLF, one empty line, no final newline

  it('reads every line of a plain file with line-number offsets', async () => {
    const path = join(dir, 'a.jsonl');
    writeFileSync(path, text);
    const s = createFileSource({ path });
    await s.start(null);
    assert.equal(s.status().state, 'running');
    const got = await drain(s);
    assert.equal(got.length, 2500);
    assert.equal(got[0]!.value!.toString(), lines[0], 'CR stripped');
    assert.equal(got[3]!.offset, '4', 'the empty line 3 has no message but keeps its number');
    assert.equal(got[2499]!.value!.toString(), lines[2499], 'last line without newline');
    assert.deepEqual(s.position(), { 0: '2501' });
    await s.close();
  });

  it('reads gzip files and resumes from position() with no loss or duplication', async () => {
    const path = join(dir, 'b.jsonl.gz');
    writeFileSync(path, gzipSync(text));
    const first = createFileSource({ path, maxBuffered: 100 });
    await first.start(null);
    const a: SourceMessage[] = [];
    for (let i = 0; i < 500 && a.length < 1234; i++) {
      a.push(...first.poll(1234 - a.length));
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(a.length, 1234);
    const pos = first.position();
    await first.close();
    const second = createFileSource({ path });
    await second.start(pos);
    const b = await drain(second);
    const values = [...a, ...b].map((m) => JSON.parse(m.value!.toString()).i);
    assert.deepEqual(values, lines.map((_, i) => i));
  });

  it('pauses reading while the buffer is full', async () => {
    const path = join(dir, 'c.jsonl');
    const long = lines.map((l) => l.slice(0, -1) + `,"pad":"${'x'.repeat(200)}"}`);
    writeFileSync(path, long.join('\n'));
    const s = createFileSource({ path, maxBuffered: 200 });
    await s.start(null);
    await new Promise((r) => setTimeout(r, 200));
    const buffered = s.poll(100_000).length;
    // At most the bound plus one read chunk (64 KiB ≈ 280 of these lines) is buffered before the pause.
    assert.ok(buffered >= 1 && buffered < 700, `buffered ${buffered}`);
    const rest = await drain(s);
    assert.equal(buffered + rest.length, 2500);
  });

  it('reports a missing file as failed', async () => {
    const s = createFileSource({ path: join(dir, 'missing.jsonl') });
    await s.start(null);
    assert.equal(s.status().state, 'failed');
    assert.match(s.status().lastError ?? '', /ENOENT/);
    assert.deepEqual(s.poll(10), []);
  });
});
