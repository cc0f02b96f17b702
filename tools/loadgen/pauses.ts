/**
 * Garbage-collector pauses of the current process over a window, from perf_hooks' `gc` entries:
 * both load-generator processes report them so a latency tail can be set against the pauses
 * that stalled every connection of a process at once.
 * @module
 */
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';

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

/** Event-loop delay over a window (ms, 1 ms resolution). */
export interface DelayReport {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Starts watching what stalls this process: its event-loop delay and its GC pauses. The returned
 * function ends the watch and reports both; each process under load opens one per window.
 */
export function watchStalls(): () => { readonly delay: DelayReport; readonly gc: GcReport } {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const gc = watchGc();
  return () => {
    delay.disable();
    const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
    return { delay: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) }, gc: gc() };
  };
}
