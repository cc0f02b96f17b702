/**
 * `npx tsx tools/loadgen/store-cost.ts [--devices N] [--results N] [--batch N] [--checkpoint-pages N]`:
 * what storing one device result costs the SQLite store alone, as the load generator's node stores them (one
 * verdict and one share reward each, batches spread over all devices). Prints, per stretch of
 * results, the CPU time and the bytes written (WAL and checkpoints: `wchar` of /proc/self/io,
 * Linux) per result: both independent of whatever else the machine runs, unlike the fsync's
 * wall time.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSqliteStore, WRITER_CHECKPOINT_PAGES } from '../../trusted-node/store/sqlite.ts';
import type { ResultRecord } from '../../trusted-node/store/types.ts';

try {
  const { values } = parseArgs({ options: { devices: { type: 'string' }, results: { type: 'string' }, batch: { type: 'string' }, 'checkpoint-pages': { type: 'string' } }, strict: true });
  const count = (name: 'devices' | 'results' | 'batch' | 'checkpoint-pages', fallback: number): number => {
    const text = values[name];
    if (text === undefined) return fallback;
    if (!/^[1-9][0-9]*$/.test(text)) throw new RangeError(`--${name} expected a positive integer, got ${JSON.stringify(text)}`);
    return Number(text);
  };
  const devices = count('devices', 1_000);
  const total = count('results', 60_000);
  const batchSize = count('batch', 160);
  const checkpointPages = count('checkpoint-pages', WRITER_CHECKPOINT_PAGES);
  const stretch = 10_000;

  const dir = mkdtempSync(join(tmpdir(), 'mm-store-cost-'));
  const path = join(dir, 'ledger.sqlite');
  try {
    const store = openSqliteStore(path, { checkpointPages });
    const ids = Array.from({ length: devices }, () => randomBytes(8).toString('hex'));
    for (const id of ids) await store.addDevice({ id, key: randomBytes(32), profile: 'espruino-esp32', tier: 'hash', owner: 'ab'.repeat(32), createdAt: 0 });
    const counters = new Map(ids.map((id) => [id, 0]));
    const account = randomBytes(32);
    let cpu = 0;
    let written = 0;
    let measured = 0;
    let done = 0;
    process.stdout.write('results stored | CPU per result (us) | bytes written per result\n');
    while (done < total) {
      const batch: ResultRecord[] = [];
      for (let i = 0; i < batchSize; i++) {
        const deviceId = ids[(done + i) % devices]!;
        const counter = counters.get(deviceId)! + 1;
        counters.set(deviceId, counter);
        batch.push({
          deviceId, counter, unitId: done + i, result: randomBytes(112), share: true, receivedAt: Date.now(),
          verdicts: [{ entryIndex: 0, txId: randomBytes(32), code: 0 }],
          rewards: [{ deviceId, account, kind: 'share', amount: 1_000n, unitId: done + i, createdAt: Date.now() }],
        });
      }
      const writtenBefore = bytesWritten();
      const started = process.cpuUsage();
      await store.recordResults(batch);
      const used = process.cpuUsage(started);
      cpu += used.user + used.system;
      written += bytesWritten() - writtenBefore;
      done += batchSize;
      measured += batchSize;
      if (measured >= stretch || done >= total) {
        process.stdout.write(`${done} | ${(cpu / measured).toFixed(1)} | ${Math.round(written / measured)}\n`);
        cpu = 0;
        written = 0;
        measured = 0;
      }
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exitCode = 1;
}

/** Bytes this process passed to write calls so far. */
function bytesWritten(): number {
  return Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
}
