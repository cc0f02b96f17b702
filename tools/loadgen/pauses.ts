/**
 * Garbage-collector pauses of the current process over a window, from perf_hooks' `gc` entries:
 * both load-generator processes report them so a latency tail can be set against the pauses
 * that stalled every connection of a process at once.
 * @module
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';

/** Pauses since the watch began (ms): minor (scavenges) and major (mark-compact and the rest). */
export interface GcReport {
  readonly minor: { readonly count: number; readonly totalMs: number; readonly maxMs: number };
  readonly major: { readonly count: number; readonly totalMs: number; readonly maxMs: number };
}

/** Starts watching; the returned function stops the watch and reports what it saw. */
export function watchGc(): () => GcReport {
  const tally = { minor: { count: 0, totalMs: 0, maxMs: 0 }, major: { count: 0, totalMs: 0, maxMs: 0 } };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = ((entry as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MINOR ? tally.minor : tally.major;
      kind.count++;
      kind.totalMs += entry.duration;
      kind.maxMs = Math.max(kind.maxMs, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    const round = (ms: number): number => Math.round(ms * 100) / 100;
    const done = (t: typeof tally.minor) => ({ count: t.count, totalMs: round(t.totalMs), maxMs: round(t.maxMs) });
    return { minor: done(tally.minor), major: done(tally.major) };
  };
}
