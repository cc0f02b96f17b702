// The main job (`npm start`): build the images, start a trusted node on a data directory of its
// own, send the demo wallet's transfers (valid and broken), run a small mixed fleet of simulated
// devices (Moddable XS sig tier and Espruino hash tier, each under its real profile, in the real
// XS engine) against the node until blocks settle, and gather what happened into a summary.
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../build/index.ts';
import { defaultManifestsDir, loadBudget, loadProfile } from '../../manifests/index.ts';
import type { Figure, FigureName, TargetFigures } from '../../report/figures.ts';
import { runReport } from '../../report/run.ts';
import { workComputrons } from '../../report/workload.ts';
import { runFleet } from '../../../host-sim/fleet.ts';
import type { DeviceReport, FleetReport } from '../../../host-sim/report.ts';
import { TOKEN_FILE } from '../../../trusted-node/datadir.ts';
import { deviceServer } from '../../../trusted-node/devices/server.ts';
import { createLogger } from '../../../trusted-node/log.ts';
import { startNode, type NodeHandle } from '../../../trusted-node/node.ts';
import { NodeClient } from '../../../trusted-node/wallet/client.ts';
import { openStartDir } from './datadir.ts';
import { sendDemoTransfers, type DemoTransfer } from './demo.ts';

/** Options of {@link runStart}. */
export interface StartOptions {
  /** the start directory (default .data/start) */
  readonly dataDir: string;
  /** delete an earlier run's directory first */
  readonly fresh: boolean;
  /** blocks to settle before stopping */
  readonly blocks: number;
  /** device and HTTP ports (0: any free port) */
  readonly port: number;
  readonly httpPort: number;
  /** the fleet: profiles assigned in turn, how many devices, units each device completes */
  readonly profiles: readonly string[];
  readonly devices: number;
  readonly units: number;
  /** time between blocks (ms of wall time) */
  readonly blockIntervalMs: number;
  /** where the budget report goes; null builds the images without the report (tests) */
  readonly reportDir: string | null;
  /** told when a step starts (`step` of `steps`) and as the fleet works */
  readonly onStep?: (step: number, steps: number, note: string) => void;
}

/** Defaults of `micromine start`: two devices of each tier. */
export const START_DEFAULTS: Omit<StartOptions, 'dataDir' | 'fresh' | 'onStep'> = {
  blocks: 3, port: 0, httpPort: 0, profiles: ['moddable-esp32', 'espruino-esp32'], devices: 4, units: 8, blockIntervalMs: 250, reportDir: 'reports',
};

/** A figure of a device against its limit and its budget. */
export interface Use {
  readonly peak: number;
  readonly limit: number;
  readonly budget: number | null;
  readonly unit: string;
}

/** One device of the fleet, as the summary shows it. */
export interface DeviceSummary {
  readonly name: string;
  readonly id: string;
  readonly profile: string;
  readonly tier: 'hash' | 'sig';
  /** `ok`, or why the device stopped (out of memory, CPU budget, ...) */
  readonly verdict: string;
  readonly units: number;
  readonly resultsAcknowledged: number;
  /** valid shares the node credited */
  readonly shares: number;
  /** rewards credited to the device, and the part of them paid in this run's blocks (base units) */
  readonly rewardsCredited: string;
  readonly rewardsPaid: string;
  readonly ram: Use[];
  /** computrons per unit against the budget, and the longest slice against the profile's bound */
  readonly cpuPerUnit: Use;
  readonly longestSliceMs: Use;
}

/** A block committed during the run. */
export interface BlockSummary {
  readonly height: number;
  readonly transactions: number;
  readonly credits: number;
}

/** What a start run did. */
export interface StartSummary {
  readonly run: number;
  readonly dataDir: string;
  readonly httpUrl: string;
  readonly devicePort: number;
  readonly images: { target: string; raw: number; gzip: number; budget: number }[];
  /** the budget report: its files and how many figures fail its check */
  readonly report: { files: string[]; findings: number } | null;
  readonly blocks: BlockSummary[];
  readonly transfers: (DemoTransfer & { status: 'committed' | 'pending' | 'rejected'; height: number | null })[];
  /** transactions decided by device quorum and audit during the run */
  readonly consensus: { accepted: number; rejected: number };
  readonly devices: DeviceSummary[];
  /** the fleet, over its rounds (a new fleet runs when the first finished before the blocks settled) */
  readonly fleet: { rounds: number; virtualMs: number; computrons: number; engineCpuMs: number; simulatorCpuMs: number };
  readonly wallMs: number;
  /** what went wrong, when the run did not settle what it should */
  readonly problems: string[];
}

const STEPS = 6;

/** The value of one series in the node's /metrics text (0 when absent). */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

function use(peak: number | undefined, limit: number | undefined, budget: number | null, unit: string): Use {
  return { peak: peak ?? 0, limit: limit ?? 0, budget, unit };
}

async function summarizeDevice(device: DeviceReport, node: NodeHandle, paid: ReadonlyMap<string, bigint>): Promise<DeviceSummary> {
  const profile = loadProfile(device.profile);
  const budget = loadBudget(device.profile);
  const record = await node.store.device(device.id);
  const ram: Use[] = device.runtime === 'espruino'
    ? [use(device.memory.variables?.peak, device.memory.variables?.limit, 'variables' in budget.ram ? budget.ram.variables : null, 'variables')]
    : [
        use(device.memory.slots?.peak, device.memory.slots?.limit, 'slots' in budget.ram ? budget.ram.slots : null, 'slots'),
        use(device.memory.chunkBytes?.peak, device.memory.chunkBytes?.limit, 'chunkBytes' in budget.ram ? budget.ram.chunkBytes : null, 'chunk bytes'),
      ];
  return {
    name: device.name, id: device.id, profile: device.profile, tier: profile.tier,
    verdict: device.verdict === 'ok' ? 'ok' : `${device.verdict} in ${device.verdictPhase}: ${device.verdictMessage}`,
    units: device.unitsDone, resultsAcknowledged: device.resultsAcknowledged, shares: record?.shares ?? 0,
    rewardsCredited: String(await node.store.rewardedSince(device.id, 0)), rewardsPaid: String(paid.get(device.id) ?? 0n),
    ram,
    cpuPerUnit: use(device.unitsDone === 0 ? 0 : Math.round(workComputrons(device) / device.unitsDone), undefined, budget.computrons.unit, 'computrons per unit'),
    longestSliceMs: use(Math.round(device.longestSliceMs.peak * 10) / 10, device.longestSliceMs.limit, null, 'ms'),
  };
}

/** Rounds of the fleet, and wall time for them, at most, before the run reports what did not settle. */
const MAX_ROUNDS = 10;
const FLEET_LIMIT_MS = 60_000;

/** Resolves once `done()` holds, or after `ms`. */
async function until(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
}

const sum = <T>(items: readonly T[], of: (item: T) => number): number => items.reduce((total, item) => total + of(item), 0);

/** Builds the images, with the budget report when `options.reportDir` is set. */
async function buildImages(options: StartOptions, note: (text: string) => void): Promise<Pick<StartSummary, 'images' | 'report'>> {
  if (options.reportDir === null) {
    note('building the images');
    const built = await build({ targets: [...new Set(options.profiles)] });
    return { images: built.targets.map((t) => ({ target: t.target, raw: t.raw, gzip: t.gzip, budget: t.budget.rawBytes })), report: null };
  }
  note('building the images and measuring them against their budgets');
  const run = await runReport({
    targets: [], manifestsDir: defaultManifestsDir, outDir: options.reportDir, requireBaseline: false, onStep: (_done, _total, text) => note(text),
  });
  const value = (t: TargetFigures, name: FigureName): Figure | undefined => t.figures.find((f) => f.name === name);
  return {
    images: run.measured.map((t) => ({
      target: t.target, raw: value(t, 'image.rawBytes')?.value ?? 0, gzip: value(t, 'image.gzipBytes')?.value ?? 0, budget: value(t, 'image.rawBytes')?.budget ?? 0,
    })),
    report: { files: [run.files.md, run.files.svg, run.files.json], findings: run.findings.length },
  };
}

/** Runs the main job; the summary says what happened, including what did not settle. */
export async function runStart(options: StartOptions): Promise<StartSummary> {
  const started = Date.now();
  const step = (n: number, note: string): void => options.onStep?.(n, STEPS, note);
  const dir = openStartDir(options.dataDir, options.fresh);

  // The node first: a port in use or a foreign data directory fails before minutes of work.
  step(0, 'starting the trusted node');
  const log = createWriteStream(join(dir.path, 'node.log'), { flags: 'a' });
  const closeLog = (): Promise<void> => new Promise((resolve) => log.end(resolve));
  const node = await startNode({
    dataDir: dir.nodeDir, port: options.port, httpPort: options.httpPort, blockIntervalMs: options.blockIntervalMs,
    logger: createLogger(log, { level: 'info' }),
    // Probe units keep devices busy between the demo's transfers (trusted-node/scheduler/probes.ts);
    // shares are steered to 100 ms of device time, as in the simulator's own node, so a demo of a
    // minute sees shares and rewards instead of waiting for the default share time.
    deviceServer: deviceServer({ scheduling: { probes: true }, rewards: { targetShareMs: 100, initialDifficulty: 6, maxDifficulty: 16 } }),
  }).catch(async (error: unknown) => {
    await closeLog();
    throw error;
  });
  try {
    const httpUrl = `http://${node.host}:${node.httpPort}`;
    const { images, report } = await buildImages(options, (note) => step(1, note));
    const heightBefore = node.ledger.head.header.height;
    const metricsBefore = node.metrics.render();

    step(2, 'the demo wallet sends transfers, some broken on purpose');
    const sent = await sendDemoTransfers(httpUrl);

    // A transfer waits for its sender's previous one to be in a block, so settling takes a few
    // block rounds; if the devices finish their units first, a new fleet (new identities) goes on.
    const settled = (): boolean => node.ledger.head.header.height >= heightBefore + options.blocks && node.mempool.size === 0;
    const fleets: FleetReport[] = [];
    const fleetUntil = Date.now() + FLEET_LIMIT_MS;
    for (let round = 0; round === 0 || (!settled() && round < MAX_ROUNDS && Date.now() < fleetUntil); round++) {
      step(3, `running ${options.devices} devices (${options.profiles.join(', ')}) in the XS engine${round === 0 ? '' : `, round ${round + 1}`}`);
      fleets.push(await runFleet({
        profiles: [...options.profiles], devices: options.devices, units: options.units, seed: dir.run * 1000 + round,
        node: `${node.host}:${node.port}`, nodeAdmin: { url: httpUrl, token: readToken(node) },
        onProgress: (p) => step(3, `fleet: ${p.done}/${p.devices} devices done, ${p.acknowledged} results acknowledged, ${(p.virtualMs / 1000).toFixed(0)} s device time`),
      }));
      // The block the last verdicts made due.
      await until(settled, 2 * options.blockIntervalMs + 1_000);
    }

    step(4, `settling ${options.blocks} blocks`);
    await until(settled, 2 * options.blockIntervalMs + 1_000);
    const client = new NodeClient(httpUrl);
    const statusOf = async (id: string): Promise<{ status: 'committed' | 'pending'; height: number | null }> => {
      const tx = await client.transaction(id);
      return tx?.status === 'committed' ? { status: 'committed', height: Number(tx.height) } : { status: 'pending', height: null };
    };

    step(5, 'collecting the summary');
    // Blocks stop here, so the summary lists the chain exactly as this run leaves it (rewards still
    // unpaid stay in the store for the next run's blocks).
    await node.producer.stop();
    const heightAfter = node.ledger.head.header.height;
    const blocks: BlockSummary[] = [];
    const paid = new Map<string, bigint>();
    for (let height = heightBefore + 1; height <= heightAfter; height++) {
      const block = await node.store.block(height);
      if (block === undefined) continue;
      blocks.push({ height, transactions: block.transactions.length, credits: block.credits.length });
      for (const reward of await node.store.rewardsPaidAt(height)) paid.set(reward.deviceId, (paid.get(reward.deviceId) ?? 0n) + reward.amount);
    }
    const transfers = await Promise.all(sent.map(async (t) => (t.accepted ? { ...t, ...(await statusOf(t.id)) } : { ...t, status: 'rejected' as const, height: null })));
    const metricsAfter = node.metrics.render();
    const decided = (outcome: string): number => {
      const series = `mm_consensus_decisions_total{outcome="${outcome}"}`;
      return metricValue(metricsAfter, series) - metricValue(metricsBefore, series);
    };
    const devices = await Promise.all(fleets.flatMap((f) => f.devices).map((d) => summarizeDevice(d, node, paid)));
    const problems: string[] = [];
    if (blocks.length < options.blocks) problems.push(`only ${blocks.length} of ${options.blocks} blocks settled`);
    const wronglyAccepted = transfers.filter((t) => t.defect !== null && t.accepted);
    if (wronglyAccepted.length > 0) problems.push(`the node accepted broken transfers: ${wronglyAccepted.map((t) => t.defect).join(', ')}`);
    const wrongReason = transfers.filter((t) => t.defect !== null && !t.accepted && t.reason !== t.expected);
    if (wrongReason.length > 0) problems.push(`broken transfers refused for the wrong reason: ${wrongReason.map((t) => `${t.defect} (${t.reason})`).join(', ')}`);
    const stuck = transfers.filter((t) => t.status === 'pending');
    if (stuck.length > 0) problems.push(`${stuck.length} valid transfer${stuck.length === 1 ? '' : 's'} not yet in a block`);
    for (const d of devices) if (d.verdict !== 'ok') problems.push(`device ${d.name} (${d.profile}) stopped: ${d.verdict}`);
    return {
      run: dir.run, dataDir: dir.path, httpUrl, devicePort: node.port!, images, report, blocks, transfers,
      consensus: { accepted: decided('accept'), rejected: decided('reject') }, devices,
      fleet: {
        rounds: fleets.length,
        virtualMs: sum(fleets, (f) => f.totals.virtualMs), computrons: sum(fleets, (f) => f.totals.computrons),
        engineCpuMs: sum(fleets, (f) => f.wall.engineCpuMs), simulatorCpuMs: sum(fleets, (f) => f.wall.simulatorCpuMs),
      },
      wallMs: Date.now() - started, problems,
    };
  } finally {
    await node.stop();
    await closeLog();
  }
}

/** The admin token the node wrote on its first start (the fleet registers its devices with it). */
function readToken(node: NodeHandle): string {
  return readFileSync(join(node.dataDir, TOKEN_FILE), 'utf8').trim();
}
