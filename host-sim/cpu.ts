/**
 * CPU time of the device engines: each is a child process, and once it has exited and been
 * reaped its CPU time is added to this process's children's time (Linux /proc/self/stat, fields
 * cutime and cstime). Elsewhere it reads 0 and the report says so.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** CPU ms used by reaped child processes (the engines of closed devices). */
export function engineCpuMs(): number {
  if (!existsSync('/proc/self/stat')) return 0;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ", field 3 is index 0: cutime and cstime are fields 16 and 17.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
}
