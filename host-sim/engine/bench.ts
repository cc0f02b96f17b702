/**
 * Measures the engine's own costs: a device's base and idle memory, the round trip of a call
 * and of a host call (wall time, and CPU on each side), the cost of SHA-256 in computrons, and
 * the share of CPU a fleet spends inside the device hosts. Linux only (reads /proc).
 *
 *     node --import tsx host-sim/engine/bench.ts [devices=64] [calls=40]
 * @module
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { startDevice, type DeviceCreation, type XsDevice } from './index.ts';

const ESP32: DeviceCreation = {
  static: 0,
  chunk: { initial: 78848, incremental: 0 },
  heap: { initial: 4928, incremental: 0 },
  stack: 512,
  keys: { initial: 32, incremental: 0, name: 53, symbol: 3 },
};
const ESP32C3: DeviceCreation = { ...ESP32, static: 94208, chunk: { initial: 1536, incremental: 512 }, heap: { initial: 512, incremental: 64 }, stack: 384 };

const pidOf = (device: XsDevice): number => (device as unknown as { process: { pid: number } }).process.pid;
/** CPU milliseconds a process has used (user + system). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
const rssOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]);

async function shaImage(): Promise<string> {
  const entry = `import { sha256 } from '@noble/hashes/sha2.js';
    globalThis.step = (input, rounds) => { let d; for (let i = 0; i < rounds; i++) d = sha256(new Uint8Array(hostCall(input))); return d; };`;
  const out = await build({ stdin: { contents: entry, resolveDir: process.cwd(), loader: 'js' }, bundle: true, format: 'esm', target: 'es2020', write: false, logLevel: 'silent' });
  return out.outputFiles[0]!.text;
}

async function roundTrips(): Promise<void> {
  const device = await startDevice({ creation: ESP32, onHostCall: () => undefined });
  const pid = pidOf(device);
  console.log(`base: ${JSON.stringify(device.boot.base)}; idle RSS ${rssOf(pid)} kB`);
  await device.evaluate('globalThis.nop = () => 0; globalThis.hostCalls = (n) => { for (let i = 0; i < n; i++) hostCall("x"); }');
  const count = 20000;
  for (const [label, run] of [
    ['call()', async () => { for (let i = 0; i < count; i++) await device.call('nop'); }],
    ['hostCall()', async () => { await device.call('hostCalls', [count]); }],
  ] as const) {
    await run(); // warm up
    const host = cpuOf(pid);
    const node = process.cpuUsage();
    const started = process.hrtime.bigint();
    await run();
    const wall = Number(process.hrtime.bigint() - started) / 1000 / count;
    const nodeCpu = process.cpuUsage(node);
    console.log(`${label} round trip: ${wall.toFixed(1)} us wall, Node CPU ${((nodeCpu.user + nodeCpu.system) / count).toFixed(1)} us, host CPU ${(((cpuOf(pid) - host) * 1000) / count).toFixed(1)} us`);
  }
  await device.close();
}

async function fleet(count: number, calls: number): Promise<void> {
  const image = { modules: { main: await shaImage() } };
  const started = Date.now();
  const devices = await Promise.all(Array.from({ length: count }, (_, index) =>
    startDevice({ creation: index % 2 ? ESP32 : ESP32C3, name: `d${index}`, image, onHostCall: (message) => message })));
  console.log(`${count} devices started in ${Date.now() - started} ms`);
  await Promise.all(devices.map((device) => device.importModule('main')));
  const input = new Uint8Array(145);
  const probe = await devices[0]!.call('step', [input, 1]);
  console.log(`SHA-256 of 145 bytes + one host call: ${probe.usage.computrons} computrons`);
  const pids = devices.map(pidOf);
  const hostBefore = pids.map(cpuOf);
  const node = process.cpuUsage();
  const wallStarted = Date.now();
  await Promise.all(devices.map(async (device) => { for (let i = 0; i < calls; i++) await device.call('step', [input, 1]); }));
  const wall = Date.now() - wallStarted;
  const nodeCpu = process.cpuUsage(node);
  const hostCpu = pids.reduce((sum, pid, index) => sum + cpuOf(pid) - hostBefore[index]!, 0);
  const nodeMs = (nodeCpu.user + nodeCpu.system) / 1000;
  console.log(`fleet: ${count * calls} calls in ${wall} ms; device hosts ${hostCpu.toFixed(0)} ms CPU, Node ${nodeMs.toFixed(0)} ms CPU: ${((100 * hostCpu) / (hostCpu + nodeMs)).toFixed(1)}% inside the device hosts`);
  await Promise.all(devices.map((device) => device.close()));
}

const [devices = '64', calls = '40'] = process.argv.slice(2);
await roundTrips();
await fleet(Number(devices), Number(calls));
