/**
 * Exponential backoff with jitter-free, capped delays, and a sleep that close() can cut short.
 * State: the current attempt count. Invariant: delays grow ×2 from `initialMs` and never exceed `maxMs`.
 */

export class Backoff {
  private attempt = 0;
  constructor(
    private readonly initialMs = 100,
    private readonly maxMs = 3000,
  ) {}

  /** The delay before the next retry; each call doubles the following one (up to the cap). */
  next(): number {
    const d = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    if (d < this.maxMs) this.attempt++;
    return d;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** A sleep that resolves early when wake() is called (used to stop retry loops promptly on close). */
export class Waker {
  private wakers: (() => void)[] = [];

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        const i = this.wakers.indexOf(done);
        if (i >= 0) this.wakers.splice(i, 1);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.push(done);
    });
  }

  wake(): void {
    for (const w of this.wakers.splice(0)) w();
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
