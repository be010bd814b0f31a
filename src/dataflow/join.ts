/**
 * Equi-join with optional residual predicate: inner, left, right, full outer, semi and anti.
 * Z-set law: ∫output = ∫L ⋈ ∫R (batch SQL join of the integrated inputs); a step emits ΔL⋈R + L'⋈ΔR, plus, for
 * outer/semi/anti joins, the changes of each row's "has a match" status (padded rows, semi/anti left rows).
 * NULL keys never match: such rows skip the state and pass through as unmatched (padded / anti) or vanish.
 * State: `left`/`right` key = [...joinKey, ...row] → [multiplicity, matchCount(, exact row if it holds a Numeric)];
 * matchCount (Σ multiplicities of matching rows on the other side) is kept for a side whose unmatched rows are
 * output (left for left/full/semi/anti, right for right/full), else 0. In memory each side holds its buckets (one
 * per join key): all of them while `complete`; once more than `residentRows` buckets were held after a flush (or
 * after a restart over a bigger table) they are a cache, the least recently changed are evicted, and a bucket
 * that is not resident is read back by a prefix scan of the side's table when a row of its key arrives.
 * A bucket holds its rows by size: one row inline (`one`), up to FEW_ROWS in an array (`few`), both compared by value
 * without row-key strings, and only beyond that in a Map by row key (`many`): most join keys of an event stream
 * hold a row or a few, and those rows are the join's state.
 * Invariant: a bucket changed this epoch is resident or known empty (`touched`), so its stored rows, stale until
 * flush, are never read back. At most one of `one`, `few` (2..FEW_ROWS entries), `many` (≥ 1) is set.
 */
import type { ChangeBatch } from '../common/changes.js';
import { dfRowKey, sameDfRowKey } from './row-key.js';
import type { Row, Value } from '../common/types.js';
import type { StateTable } from '../state/store.js';
import type { Operator, OperatorEnv } from './operator.js';
import type { PredFn, RowFn } from './spec.js';
import { needsExactRow } from './zset.js';
import { evictBeyondBudget } from './resident-counts.js';

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';

interface SideEntry {
  /** The latest inserted form of the row (SQL-equal rows share an entry). */
  row: Row;
  mult: number;
  /** Σ multiplicities of the matching rows on the other side (only kept where `tracksMatches`). */
  matched: number;
}

interface Bucket {
  /** The join key, for the state table's keys; NO_STORED_KEY on a side without a table (nothing reads it). */
  readonly key: Row;
  /** The entry of a bucket that holds a single row. */
  one: SideEntry | null;
  /** The entries of a bucket with 2 to FEW_ROWS distinct rows. */
  few: SideEntry[] | null;
  /** The entries by row key, beyond FEW_ROWS distinct rows. */
  many: Map<string, SideEntry> | null;
}

const FEW_ROWS = 8;
const NO_STORED_KEY: Row = [];

function emptyBucket(key: Row): Bucket {
  return { key, one: null, few: null, many: null };
}

/** Add an entry for a row not in the bucket; `rk` is its row key if already computed. */
function addEntry(b: Bucket, e: SideEntry, rk: string | null): void {
  if (b.many !== null) b.many.set(rk ?? dfRowKey(e.row), e);
  else if (b.few !== null && b.few.length === FEW_ROWS) {
    b.many = new Map(b.few.map((x) => [dfRowKey(x.row), x]));
    b.many.set(rk ?? dfRowKey(e.row), e);
    b.few = null;
  } else if (b.few !== null) b.few.push(e);
  else if (b.one !== null) {
    b.few = [b.one, e];
    b.one = null;
  } else b.one = e;
}

/** Position in `few` of the entry SQL-equal to row, or -1. */
function indexOfRow(few: readonly SideEntry[], row: Row): number {
  for (let i = 0; i < few.length; i++) if (sameDfRowKey(few[i]!.row, row)) return i;
  return -1;
}

class JoinSide {
  private readonly buckets = new Map<string, Bucket>();
  private readonly dirty = new Map<string, { mapKey: string; bucket: Bucket; entry: SideEntry }>();
  /** Not complete: the map keys of the buckets changed this epoch. */
  private readonly touched = new Set<string>();
  private complete = true;
  private readonly residentRows: number;

  constructor(
    readonly keyFns: readonly RowFn[],
    readonly table: StateTable | null,
    /** True when the side's rows carry a match count (their unmatched status is output). */
    readonly tracksMatches: boolean,
    residentRows: number,
  ) {
    this.residentRows = Math.max(1, residentRows);
  }

  /** The bucket of a join key, read from the table if it is stored but not resident; undefined when empty. */
  bucket(mk: string, key: Row): Bucket | undefined {
    const b = this.buckets.get(mk);
    if (b !== undefined || this.complete || this.touched.has(mk)) return b;
    let fetched: Bucket | undefined;
    for (const [k, v] of this.table!.scan({ prefix: key })) {
      fetched ??= emptyBucket(key);
      this.loadEntry(fetched, k.slice(key.length), v);
    }
    if (fetched !== undefined) this.buckets.set(mk, fetched);
    return fetched;
  }

  /** Evaluate the join key; null when some key value is NULL (never matches). */
  keyOf(row: Row): Value[] | null {
    const n = this.keyFns.length;
    const key: Value[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = this.keyFns[i]!(row);
      if (v === null) return null;
      key[i] = v;
    }
    return key;
  }

  bucketFor(mk: string, key: Row): Bucket {
    let b = this.bucket(mk, key);
    if (b === undefined) {
      b = emptyBucket(this.table === null ? NO_STORED_KEY : key);
      this.buckets.set(mk, b);
    }
    return b;
  }

  /** Apply w to a row's multiplicity; `matched` sets the match count of a new entry. */
  apply(mk: string, b: Bucket, row: Row, w: number, matched: number): void {
    let rk: string | null = null;
    let e: SideEntry | undefined;
    let at = -1;
    if (b.one !== null) e = sameDfRowKey(b.one.row, row) ? b.one : undefined;
    else if (b.few !== null) e = (at = indexOfRow(b.few, row)) >= 0 ? b.few[at] : undefined;
    else if (b.many !== null) e = b.many.get((rk = dfRowKey(row)));
    if (e === undefined) {
      e = { row, mult: w, matched };
      addEntry(b, e, rk);
    } else {
      e.mult += w;
      if (w > 0) e.row = row;
    }
    if (e.mult === 0) {
      if (b.one === e) b.one = null;
      else if (b.few !== null) {
        b.few.splice(at, 1);
        if (b.few.length === 1) {
          b.one = b.few[0]!;
          b.few = null;
        }
      } else b.many!.delete(rk!);
      if (b.one === null && b.few === null && (b.many === null || b.many.size === 0)) this.buckets.delete(mk);
    }
    this.markMatchChanged(mk, b, rk, e);
  }

  markMatchChanged(mk: string, b: Bucket, rk: string | null, e: SideEntry): void {
    if (this.table === null) return;
    this.dirty.set(mk + '\u0002' + (rk ?? dfRowKey(e.row)), { mapKey: mk, bucket: b, entry: e });
    if (!this.complete) this.touched.add(mk);
  }

  /** Read the stored state: all of it when it fits the budget, else nothing (buckets are read on demand). */
  load(): void {
    if (this.table === null) return;
    if (this.table.holdsMoreThan(this.residentRows)) {
      this.complete = false;
      return;
    }
    const nk = this.keyFns.length;
    for (const [k, v] of this.table.scan()) {
      const key = k.slice(0, nk);
      const mk = dfRowKey(key);
      let b = this.buckets.get(mk);
      if (b === undefined) this.buckets.set(mk, (b = emptyBucket(key)));
      this.loadEntry(b, k.slice(nk), v);
    }
  }

  private loadEntry(b: Bucket, row: Row, stored: unknown): void {
    const a = stored as [number, number, Row?];
    addEntry(b, { row: a[2] ?? row, mult: a[0], matched: a[1] }, null);
  }

  flush(): void {
    const t = this.table;
    if (t === null) return;
    const buckets = this.buckets;
    // Map order is insertion order: re-inserting the buckets changed this epoch makes it approximate recency.
    const refresh = buckets.size > this.residentRows / 2;
    for (const d of this.dirty.values()) {
      const sk = [...d.bucket.key, ...d.entry.row];
      if (d.entry.mult === 0) t.delete(sk);
      else t.put(sk, needsExactRow(d.entry.row) ? [d.entry.mult, d.entry.matched, d.entry.row] : [d.entry.mult, d.entry.matched]);
      if (refresh && buckets.get(d.mapKey) === d.bucket && buckets.delete(d.mapKey)) buckets.set(d.mapKey, d.bucket);
    }
    this.dirty.clear();
    this.touched.clear();
    if (evictBeyondBudget(buckets, this.residentRows)) this.complete = false;
  }
}

export class JoinOperator implements Operator {
  private readonly left: JoinSide;
  private readonly right: JoinSide;
  private readonly leftNulls: Value[];
  private readonly rightNulls: Value[];
  private readonly emitPairs: boolean;
  private readonly leftUnmatched: boolean;
  private readonly rightUnmatched: boolean;

  constructor(
    env: OperatorEnv,
    private readonly joinType: JoinType,
    leftKey: readonly RowFn[],
    rightKey: readonly RowFn[],
    private readonly residual: PredFn | undefined,
    leftArity: number,
    rightArity: number,
  ) {
    this.emitPairs = joinType !== 'semi' && joinType !== 'anti';
    this.leftUnmatched = joinType === 'left' || joinType === 'full';
    this.rightUnmatched = joinType === 'right' || joinType === 'full';
    const leftTracks = joinType !== 'inner' && joinType !== 'right';
    this.left = new JoinSide(leftKey, env.table('left'), leftTracks, env.residentRows);
    this.right = new JoinSide(rightKey, env.table('right'), this.rightUnmatched, env.residentRows);
    this.leftNulls = new Array<Value>(rightArity).fill(null);
    this.rightNulls = new Array<Value>(leftArity).fill(null);
    if (!env.fresh) {
      this.left.load();
      this.right.load();
    }
  }

  private matches(l: Row, r: Row): boolean {
    return this.residual === undefined || this.residual(concat(l, r)) === true;
  }

  /** Output for a left row's "matched" status: semi → the row if matched, anti → if unmatched, left/full → padded. */
  private emitLeftStatus(out: ChangeBatch, l: Row, matched: boolean, w: number): void {
    switch (this.joinType) {
      case 'semi':
        if (matched) out.push({ row: l, weight: w });
        return;
      case 'anti':
        if (!matched) out.push({ row: l, weight: w });
        return;
      case 'left':
      case 'full':
        if (!matched) out.push({ row: concat(l, this.leftNulls), weight: w });
        return;
      default:
        return;
    }
  }

  step(inputs: readonly ChangeBatch[]): ChangeBatch {
    const out: ChangeBatch = [];
    const dl = inputs[0]!;
    const dr = inputs[1]!;
    // ΔL ⋈ R (R before this step), then apply ΔL
    for (let i = 0; i < dl.length; i++) {
      const { row: l, weight: w } = dl[i]!;
      const key = this.left.keyOf(l);
      if (key === null) {
        this.emitLeftStatus(out, l, false, w);
        continue;
      }
      const mk = dfRowKey(key);
      const rb = this.right.bucket(mk, key);
      let m = 0;
      if (rb !== undefined) {
        if (rb.one !== null) m = this.pairWithRight(out, l, w, mk, rb, null, rb.one);
        else if (rb.few !== null) for (const re of rb.few) m += this.pairWithRight(out, l, w, mk, rb, null, re);
        else for (const [rk, re] of rb.many!) m += this.pairWithRight(out, l, w, mk, rb, rk, re);
      }
      if (this.left.tracksMatches) this.emitLeftStatus(out, l, m > 0, w);
      this.left.apply(mk, this.left.bucketFor(mk, key), l, w, m);
    }
    // L' ⋈ ΔR (L after this step), then apply ΔR
    for (let i = 0; i < dr.length; i++) {
      const { row: r, weight: w } = dr[i]!;
      const key = this.right.keyOf(r);
      if (key === null) {
        if (this.rightUnmatched) out.push({ row: concat(this.rightNulls, r), weight: w });
        continue;
      }
      const mk = dfRowKey(key);
      const lb = this.left.bucket(mk, key);
      let m = 0;
      if (lb !== undefined) {
        if (lb.one !== null) m = this.pairWithLeft(out, r, w, mk, lb, null, lb.one);
        else if (lb.few !== null) for (const le of lb.few) m += this.pairWithLeft(out, r, w, mk, lb, null, le);
        else for (const [lk, le] of lb.many!) m += this.pairWithLeft(out, r, w, mk, lb, lk, le);
      }
      if (this.rightUnmatched && m <= 0) out.push({ row: concat(this.rightNulls, r), weight: w });
      this.right.apply(mk, this.right.bucketFor(mk, key), r, w, m);
    }
    return out;
  }

  /** A left change (row l, weight w) against one stored right entry: its output; returns the entry's matching multiplicity (0 if the residual fails). */
  private pairWithRight(out: ChangeBatch, l: Row, w: number, mk: string, rb: Bucket, rk: string | null, re: SideEntry): number {
    if (!this.matches(l, re.row)) return 0;
    if (this.emitPairs) out.push({ row: concat(l, re.row), weight: w * re.mult });
    if (this.rightUnmatched) {
      const before = re.matched > 0;
      re.matched += w;
      const after = re.matched > 0;
      if (before !== after) out.push({ row: concat(this.rightNulls, re.row), weight: after ? -re.mult : re.mult });
      this.right.markMatchChanged(mk, rb, rk, re);
    }
    return re.mult;
  }

  /** A right change (row r, weight w) against one stored left entry, as pairWithRight. */
  private pairWithLeft(out: ChangeBatch, r: Row, w: number, mk: string, lb: Bucket, lk: string | null, le: SideEntry): number {
    if (!this.matches(le.row, r)) return 0;
    if (this.emitPairs) out.push({ row: concat(le.row, r), weight: w * le.mult });
    if (this.left.tracksMatches) {
      const before = le.matched > 0;
      le.matched += w;
      const after = le.matched > 0;
      if (before !== after) {
        this.emitLeftStatus(out, le.row, before, -le.mult);
        this.emitLeftStatus(out, le.row, after, le.mult);
      }
      this.left.markMatchChanged(mk, lb, lk, le);
    }
    return le.mult;
  }

  wantsStep(): boolean {
    return false;
  }

  nextWakeup(): number | null {
    return null;
  }

  flush(): void {
    this.left.flush();
    this.right.flush();
  }
}

function concat(a: Row, b: Row): Value[] {
  const out: Value[] = new Array(a.length + b.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  for (let i = 0; i < b.length; i++) out[a.length + i] = b[i]!;
  return out;
}
