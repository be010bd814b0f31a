/**
 * JSON-lines file SourceReader (plain or gzip, by '.gz' suffix or option): one message per non-empty
 * line, partition 0, offset = 0-based line number. State: the read stream, a bounded line buffer, the next
 * line number to hand out. Invariant: resuming from position() yields exactly the lines after the last one
 * handed out; the stream is paused while the buffer is full. A missing or unreadable file is 'failed'.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { errorText } from './backoff.js';
import type { ConnectorState, ConnectorStatus, SourceMessage, SourceOffsets, SourceReader } from './types.js';

export interface FileSourceOptions {
  path: string;
  /** Decompress with gunzip; default: path ends in '.gz'. */
  gzip?: boolean;
  /** Buffered lines before the file stream is paused (default 10000). */
  maxBuffered?: number;
}

export interface FileSource extends SourceReader {
  /** True once the whole file was read and every line handed out. */
  isFinished(): boolean;
}

export function createFileSource(opts: FileSourceOptions): FileSource {
  const maxBuffered = opts.maxBuffered ?? 10_000;
  const gzip = opts.gzip ?? opts.path.endsWith('.gz');
  let queue: SourceMessage[] = [];
  let head = 0;
  let lineNo = 0;
  let skipBelow = 0;
  let nextToHand = 0;
  let pending: Buffer | null = null;
  let eof = false;
  let state: ConnectorState = 'stopped';
  let lastError: string | null = null;
  let lastErrorAtMs: number | null = null;
  let stream: Readable | null = null;
  let paused = false;
  const listeners: (() => void)[] = [];

  const buffered = (): number => queue.length - head;

  function pushLine(line: Buffer): void {
    let end = line.length;
    if (end > 0 && line[end - 1] === 13) end--; // CRLF
    if (lineNo >= skipBelow && end > 0) {
      queue.push({ partition: 0, offset: String(lineNo), timestampMs: null, key: null, value: Buffer.from(line.subarray(0, end)) });
    }
    lineNo++;
  }

  function onChunk(chunk: Buffer): void {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(10, from);
      if (nl < 0) break;
      pushLine(buf.subarray(from, nl));
      from = nl + 1;
    }
    if (from < buf.length) pending = Buffer.from(buf.subarray(from));
    buf = Buffer.alloc(0);
    if (buffered() >= maxBuffered && stream && !paused) {
      stream.pause();
      paused = true;
    }
    for (const l of listeners) l();
  }

  return {
    start(from: SourceOffsets | null): Promise<void> {
      skipBelow = from?.[0] !== undefined ? Number(from[0]) : 0;
      nextToHand = skipBelow;
      state = 'starting';
      return new Promise((resolve) => {
        const file = createReadStream(opts.path);
        const s: Readable = gzip ? file.pipe(createGunzip()) : file;
        stream = s;
        const fail = (e: unknown): void => {
          state = 'failed';
          lastError = `${opts.path}: ${errorText(e)}`;
          lastErrorAtMs = Date.now();
          resolve();
        };
        file.on('error', fail);
        s.on('error', fail);
        file.on('open', () => {
          state = 'running';
          resolve();
        });
        s.on('data', (c: Buffer) => onChunk(c));
        s.on('end', () => {
          if (pending && pending.length > 0) pushLine(pending);
          pending = null;
          eof = true;
          for (const l of listeners) l();
        });
      });
    },
    poll(max: number): SourceMessage[] {
      const n = Math.min(max, buffered());
      if (n === 0) return [];
      const out = queue.slice(head, head + n);
      head += n;
      if (head > 4096 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      nextToHand = Number(out[out.length - 1]!.offset) + 1;
      if (paused && buffered() < maxBuffered / 2 && stream) {
        paused = false;
        stream.resume();
      }
      return out;
    },
    position(): SourceOffsets {
      return { 0: String(nextToHand) };
    },
    status(): ConnectorStatus {
      return {
        state,
        lastError,
        lastErrorAtMs,
        partitions: [{ partition: 0, nextOffset: String(nextToHand), highWatermark: eof ? String(lineNo) : null }],
      };
    },
    onData(listener: () => void): void {
      listeners.push(listener);
    },
    isFinished(): boolean {
      return eof && buffered() === 0;
    },
    async close(): Promise<void> {
      stream?.destroy();
      stream = null;
      state = 'stopped';
    },
  };
}
