/**
 * In-process CPU profiling of just the timed part of a benchmark, through node:inspector: start(), then stop(file)
 * writes a .cpuprofile (open in Chrome DevTools, or summarise with bench/lib/cpuprofile-top.ts).
 * State: one inspector session per profile. Invariant: without a profile path nothing is started.
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

export interface Profiler {
  stop(): Promise<void>;
}

export async function startProfile(path: string | undefined): Promise<Profiler> {
  if (!path) return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(path, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
