/**
 * CPU time of the device engines and of the simulator itself. Each engine is a child process,
 * and once it has exited and been reaped its CPU time is added to this process's children's time
 * (Linux /proc/self/stat, fields cutime and cstime). The simulator is this process's main thread
 * (/proc/self/task/<pid>/stat); the in-process node runs in a worker thread and is not counted.
 * Elsewhere both read 0.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** The fields of a /proc stat file after "pid (comm) ": field 3 of proc(5) is index 0. */
function statFields(path: string): string[] | undefined {
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
}

/** CPU ms used by reaped child processes (the engines of closed devices): cutime + cstime. */
export function engineCpuMs(): number {
  const fields = statFields('/proc/self/stat');
  return fields ? ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND : 0;
}

/** CPU ms of this process's main thread: utime + stime. */
export function mainThreadCpuMs(): number {
  const fields = statFields(`/proc/self/task/${process.pid}/stat`);
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND : 0;
}
