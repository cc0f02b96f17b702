// The command `micromine sim`: flags checked by name before anything runs, and the calibration
// plan (runs themselves are tested through runFleet, on images built for the tests).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main, type SimTerminal } from '../../host-sim/cli.ts';

function terminal(): SimTerminal & { stdout: string; stderr: string } {
  const t = { stdout: '', stderr: '', interactive: false, color: false, columns: 80, out: (text: string) => void (t.stdout += text), err: (text: string) => void (t.stderr += text) };
  return t;
}

test('unknown flags, bad values and missing profiles are usage errors (exit 2) naming the flag', async () => {
  for (const [args, message] of [
    [['--profile', 'moddable-esp32', '--speed', '3'], 'error: --speed: unknown flag --speed'],
    [['--profile', 'moddable-esp32', '--devices', 'many'], 'error: --devices: expected an integer from 0 to 1024, got "many"'],
    [['--profile', 'esp8266'], 'error: --profile: unknown profile "esp8266"'],
    [['--devices', '2'], 'error: --profile: --profile is required'],
    [['--profile', 'moddable-esp32', '--json=yes'], 'error: --json: --json takes no value'],
    [['--profile', 'moddable-esp32', '--devices', '0'], 'error: --devices: expected at least one device and one unit'],
    [['--profile', 'moddable-esp32', '--node', '127.0.0.1:7070'], 'error: --node: a node started elsewhere needs its admin token in MICROMINE_ADMIN_TOKEN'],
  ] as const) {
    const out = terminal();
    const saved = process.env.MICROMINE_ADMIN_TOKEN;
    delete process.env.MICROMINE_ADMIN_TOKEN;
    try {
      assert.is(await main([...args], out), 2, args.join(' '));
    } finally {
      if (saved !== undefined) process.env.MICROMINE_ADMIN_TOKEN = saved;
    }
    assert.is(out.stderr.split('\n')[0], message);
    assert.match(out.stderr, 'usage: micromine sim --profile');
    assert.is(out.stdout, '');
  }
});

test('--calibrate lists every estimate with what to measure, as text or JSON', async () => {
  const out = terminal();
  assert.is(await main(['--calibrate', '--profile', 'espruino-esp32c3'], out), 0);
  assert.match(out.stdout, 'manifests/profiles/espruino-esp32c3.json cpu.computronsPerMs = 250');
  assert.match(out.stdout, 'host-sim/espruino-memory.ts firmwareVariables = 246');
  const json = terminal();
  assert.is(await main(['--calibrate', '--json'], json), 0);
  const plan = JSON.parse(json.stdout) as { target: string; field: string; measure: string }[];
  assert.equal([...new Set(plan.map((item) => item.target))].sort(), ['espruino-esp32', 'espruino-esp32c3', 'moddable-esp32', 'moddable-esp32c3', 'moddable-esp32s3']);
  assert.ok(plan.every((item) => item.measure.length > 20));
});

test.run();
