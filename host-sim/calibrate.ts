/**
 * `micromine sim --calibrate`: every figure the simulator takes on trust (a profile's labelled
 * estimates and the simulator's own constants), with what to measure on a real board to replace
 * it and where the measured value goes.
 * @module
 */
import type { Profile, Sourced } from '../tools/manifests/index.ts';
import { FLASH_WRITE_US, WATCHDOG_MS } from './device.ts';
import { ESPRUINO_MODEL } from './espruino-memory.ts';

/** One figure to calibrate. */
export interface CalibrationItem {
  target: string;
  /** where the figure lives: a profile field, or a simulator constant */
  field: string;
  value: number;
  source: string;
  /** what to run or read on the board */
  measure: string;
}

function sourced(target: string, field: string, figure: Sourced, measure: string): CalibrationItem | undefined {
  if (figure.source === 'measured') return undefined;
  return { target, field, value: figure.value, source: `${figure.source}: ${figure.note}`, measure };
}

/** The calibration plan of `profiles`: estimates and published figures, never measured ones. */
export function calibrationPlan(profiles: Profile[]): CalibrationItem[] {
  const items: (CalibrationItem | undefined)[] = [];
  for (const profile of profiles) {
    const t = profile.target;
    const file = `manifests/profiles/${t}.json`;
    const xs = profile.runtime === 'xs';
    items.push(sourced(t, `${file} cpu.computronsPerMs`, profile.cpu.computronsPerMs, xs
      ? 'run the image\'s self-test 100 times in a loop and time it with Time.ticks; divide the computrons `micromine sim` reports for the same loop by the milliseconds'
      : 'time 100 self-tests with getTime() on the board; divide the computrons the simulator reports for the same loop by the milliseconds'));
    items.push(sourced(t, `${file} network.latencyMs`, profile.network.latencyMs, 'send mm.ping to the node 100 times from the board and take the median round trip (the node logs each ping)'));
    for (const [name, cost] of Object.entries(profile.digests)) {
      if (!cost) continue;
      const api = xs ? `new Digest("${name}")` : `require("crypto").${name}`;
      items.push(sourced(t, `${file} digests.${name}.usPerBlock`, cost.usPerBlock, `time ${api} over 64 KiB, 100 times; subtract the per-call cost and divide by the blocks (${cost.blockBytes} bytes each)`));
      items.push(sourced(t, `${file} digests.${name}.usPerCall`, cost.usPerCall, `time ${api} over an empty input, 10,000 times`));
    }
    if (xs) items.push(sourced(t, `${file} flash.preference.nvsBytes`, profile.flash.preference.nvsBytes, 'read the nvs partition size from the board\'s partition table (esptool.py read_flash 0x8000 0xc00 and gen_esp32part.py)'));
    items.push({ target: t, field: 'host-sim/device.ts FLASH_WRITE_US', value: FLASH_WRITE_US, source: 'estimate: one NVS or Storage write of a short value', measure: xs ? 'time Preference.set(\'mm\', \'t\', \'x\'.repeat(224)) 100 times' : 'time require("Storage").write("mm.t", "x".repeat(224)) 100 times' });
    items.push({ target: t, field: 'host-sim/device.ts WATCHDOG_MS', value: WATCHDOG_MS, source: 'ESP-IDF task watchdog default (CONFIG_ESP_TASK_WDT_TIMEOUT_S=5)', measure: 'read CONFIG_ESP_TASK_WDT_TIMEOUT_S from the firmware\'s sdkconfig' });
    if (profile.runtime === 'espruino') {
      items.push({
        target: t, field: 'host-sim/espruino-memory.ts firmwareVariables', value: ESPRUINO_MODEL.firmwareVariables(profile.ram.variables),
        source: 'estimate: about 6% of the variables held by the firmware after boot', measure: 'process.memory().usage right after boot, before the image is loaded',
      });
      items.push({
        target: t, field: 'docs/simulator.md code in flash (assumed)', value: 0,
        source: 'assumption: functions parsed from the Storage file keep their code in flash, costing no variables',
        measure: 'process.memory().usage before and after eval(require("Storage").read("mm.a.js")) with start() removed: the difference minus the image\'s objects is the code text in RAM',
      });
      items.push({
        target: t, field: 'host-sim/espruino-memory.ts variablesOfUsage', value: profile.ram.bytesPerVariable,
        source: 'model: one variable per XS slot, chunk bytes packed at the variable size (docs/simulator.md)',
        measure: 'after a unit, compare process.memory().usage on the board with the simulator\'s variables for the same unit; the ratio corrects the model',
      });
    }
  }
  return items.filter((item): item is CalibrationItem => item !== undefined);
}

/** The plan as text. */
export function formatCalibration(items: CalibrationItem[]): string {
  const lines = ['What to measure on a real board to replace each figure the simulator takes on trust:', ''];
  let target = '';
  for (const item of items) {
    if (item.target !== target) {
      target = item.target;
      lines.push(`${target}`);
    }
    lines.push(`  ${item.field} = ${item.value}`);
    lines.push(`    now: ${item.source}`);
    lines.push(`    measure: ${item.measure}`);
  }
  lines.push('', 'Write a measured figure into its profile with "source": "measured" and a note saying how; it then leaves this list.');
  return lines.join('\n');
}
