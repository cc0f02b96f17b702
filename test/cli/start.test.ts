// npm start's pipeline end to end with a small mixed fleet: a real node on SQLite, the demo
// wallet over HTTP, XS sig-tier and Espruino hash-tier devices running the built images in the
// XS engine; then a rerun on the same directory, and the refusals (foreign directory, port in use).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../tools/cli/errors.ts';
import { main } from '../../tools/cli/start/cli.ts';
import { START_DEFAULTS, runStart, type StartSummary } from '../../tools/cli/start/pipeline.ts';
import { memoryTerminal } from '../../tools/cli/terminal.ts';
import { openDataDir } from '../../trusted-node/datadir.ts';
import { openSqliteStore } from '../../trusted-node/store/sqlite.ts';
import { verifyChain } from '../../trusted-node/ledger/verify.ts';

const work = mkdtempSync(join(tmpdir(), 'mm-start-'));
const dataDir = join(work, 'start');
// The default fleet (two devices of each tier, eight units each); no budget report (its own tests cover it).
const options = { ...START_DEFAULTS, dataDir, fresh: false, blocks: 2, reportDir: null };

let first: StartSummary;

test('a run settles blocks with the valid transfers and rejects each broken one for its reason', async () => {
  first = await runStart(options);
  assert.equal(first.problems, []);
  assert.is(first.run, 1);
  assert.ok(first.blocks.length >= 2, `${first.blocks.length} blocks`);
  assert.ok(first.blocks.some((b) => b.transactions > 0));
  const broken = first.transfers.filter((t) => t.defect !== null);
  assert.equal(broken.map((t) => t.defect).sort(), ['bad-signature', 'duplicate', 'low-fee', 'overspend', 'wrong-chain', 'wrong-nonce']);
  for (const t of broken) assert.equal([t.defect, t.accepted, t.reason], [t.defect, false, t.expected]);
  const valid = first.transfers.filter((t) => t.defect === null);
  assert.is(valid.length, 7);
  for (const t of valid) assert.equal([t.accepted, t.status], [true, 'committed'], `${t.from} -> ${t.to} ${t.amount}`);
  assert.ok(first.consensus.accepted >= 7);
  assert.equal(new Set(first.devices.map((d) => `${d.profile}/${d.tier}`)), new Set(['moddable-esp32/sig', 'espruino-esp32/hash']));
  for (const d of first.devices) {
    assert.is(d.verdict, 'ok');
    assert.ok(d.units >= options.units, `${d.name} did ${d.units} units`);
    assert.ok(d.shares > 0 && BigInt(d.rewardsCredited) > 0n, `${d.name} earned`);
    for (const ram of d.ram) assert.ok(ram.peak > 0 && ram.budget !== null);
  }
});

test('a rerun reuses the directory: run 2, the chain goes on and still verifies', async () => {
  const second = await runStart(options);
  assert.equal(second.problems, []);
  assert.is(second.run, 2);
  assert.ok(second.blocks[0]!.height > first.blocks[first.blocks.length - 1]!.height);
  assert.not.equal(second.devices.map((d) => d.id), first.devices.map((d) => d.id), 'each run has devices of its own');
  const store = openSqliteStore(openDataDir(join(dataDir, 'node'), { create: false }).databasePath);
  try {
    const verified = await verifyChain(store);
    assert.equal([verified.ok, verified.blocksChecked], [true, second.blocks[second.blocks.length - 1]!.height + 1]);
  } finally {
    await store.close();
  }
});

test('a directory that is not a start run\'s is refused, and left untouched', async () => {
  const foreign = join(work, 'home');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'letters.txt'), 'private');
  const terminal = memoryTerminal();
  assert.is(await main(['--data', foreign], terminal), EXIT.environment);
  assert.match(terminal.stderr, /error: refusing to use .*home: it is not empty and has no micromine-start\.json\nhint: pass --data with a new or empty directory/);
  assert.equal(readdirSync(foreign), ['letters.txt']);
});

test('a port in use is refused naming it, before any build', async () => {
  const busy: Server = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as AddressInfo).port;
  try {
    const terminal = memoryTerminal();
    assert.is(await main(['--data', join(work, 'busy'), '--http-port', String(port)], terminal), EXIT.environment);
    assert.match(terminal.stderr, new RegExp(`error: cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE\\nhint: another process uses that port`));
    assert.not.match(terminal.stderr, /building/);
  } finally {
    busy.close();
  }
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
