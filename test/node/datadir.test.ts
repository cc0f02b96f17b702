import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDataDir, openDataDir } from '../../trusted-node/datadir.ts';
import { NodeError } from '../../trusted-node/errors.ts';
import { startNode } from '../../trusted-node/node.ts';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'mm-dir-'));
}

function refused(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof NodeError && error.code === 'data_dir' && pattern.test(error.message));
}

test('a non-empty directory without our marker is refused, an empty one is adopted', () => {
  const root = scratch();
  try {
    writeFileSync(join(root, 'notes.txt'), 'mine');
    refused(() => openDataDir(root), /not empty and has no micromine-node\.json/);
    mkdirSync(join(root, 'empty'));
    assert.is(openDataDir(join(root, 'empty')).created, true);
    const again = openDataDir(join(root, 'empty'));
    assert.is(again.created, false);
    assert.match(again.adminToken, /^[0-9a-f]{64}$/);
    refused(() => openDataDir(join(root, 'missing'), { create: false }), /no micromine node data/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a foreign marker and a token readable by others are refused', () => {
  const root = scratch();
  try {
    const dir = openDataDir(join(root, 'n'));
    chmodSync(join(dir.path, 'admin.token'), 0o644);
    refused(() => openDataDir(dir.path), /readable by other users/);
    mkdirSync(join(root, 'x'));
    writeFileSync(join(root, 'x', 'micromine-node.json'), '{"kind":"something-else"}');
    refused(() => openDataDir(join(root, 'x')), /does not mark a micromine node directory/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('one node per data directory; a lock left by a dead process is taken over', async () => {
  const root = scratch();
  try {
    const node = await startNode({ dataDir: join(root, 'n'), httpPort: 0, blockIntervalMs: 0 });
    try {
      await startNode({ dataDir: join(root, 'n'), httpPort: 0, blockIntervalMs: 0 }).then(
        (second) => second.stop().then(() => assert.unreachable('a second node must be refused')),
        (error: unknown) => assert.match((error as Error).message, /a node in this process is already using/),
      );
    } finally {
      await node.stop();
    }
    const dir = openDataDir(join(root, 'n'));
    // A live process holding the lock (this test's parent stands in for another node).
    writeFileSync(join(root, 'n', 'node.lock'), `${process.ppid}\n`);
    refused(() => lockDataDir(dir), new RegExp(`another node \\(process ${process.ppid}\\) is using`));
    // A pid that cannot exist (above the kernel's pid_max) stands for a node killed with SIGKILL,
    // and our own pid for a previous process that had it.
    for (const stale of ['99999999', String(process.pid)]) {
      writeFileSync(join(root, 'n', 'node.lock'), `${stale}\n`);
      const release = lockDataDir(dir);
      assert.is(readFileSync(join(root, 'n', 'node.lock'), 'utf8'), `${process.pid}\n`);
      release();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
