/**
 * TimeHeap: a binary min-heap of items ordered by their `time`, for the temporal filter's timers.
 * Invariant: heap order (parent.time ≤ child.time). Callers delete lazily: stale items stay until popped.
 */
export class TimeHeap<T extends { readonly time: number }> {
  private readonly a: T[] = [];

  get size(): number {
    return this.a.length;
  }

  peek(): T | undefined {
    return this.a[0];
  }

  push(item: T): void {
    const a = this.a;
    let i = a.length;
    a.push(item);
    const t = item.time;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.time <= t) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = item;
  }

  pop(): T | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      const n = a.length;
      const t = last.time;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && a[r]!.time < a[l]!.time ? r : l;
        if (a[c]!.time >= t) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
