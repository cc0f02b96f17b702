// The fleet's pacing timer: tasks run in due order, once, each when its time comes on the
// pacer's clock; a task moves when scheduled again and is gone when cancelled. The clock here is
// a value the test sets, so what runs depends on it alone, not on how fast the machine is.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pacer } from '../../tools/loadgen/pacer.ts';

/** A pacer on a clock the test sets, and the names of the tasks it ran, in order. */
function setup() {
  const clock = { now: 1_000 };
  const pacer = new Pacer(() => clock.now);
  const ran: string[] = [];
  let wake: (() => void) | null = null;
  const task = (name: string) => pacer.task(() => {
    ran.push(name);
    wake?.();
  });
  /** Resolves once `count` tasks ran in all. */
  const ranCount = (count: number): Promise<void> => new Promise((resolve) => {
    wake = () => {
      if (ran.length >= count) resolve();
    };
    wake();
  });
  return { clock, pacer, ran, task, ranCount };
}

test('due tasks run in due order, each once; a later one waits for the clock', async () => {
  const { clock, pacer, ran, task, ranCount } = setup();
  pacer.schedule(task('late'), 1_050);
  pacer.schedule(task('second'), 1_000.6);
  pacer.schedule(task('first'), 1_000.2);
  assert.is(pacer.size, 3);
  await ranCount(2);
  assert.equal(ran, ['first', 'second']);
  assert.is(pacer.size, 1);
  clock.now = 1_050;
  await ranCount(3);
  assert.equal(ran, ['first', 'second', 'late']);
  assert.is(pacer.size, 0);
});

test('a task scheduled again moves (runs once, at its new time); a cancelled one never runs', async () => {
  const { pacer, ran, task, ranCount } = setup();
  const moved = task('moved');
  const cancelled = task('cancelled');
  pacer.schedule(moved, 5_000);
  pacer.schedule(cancelled, 1_000);
  pacer.schedule(moved, 1_000.5);
  pacer.cancel(cancelled);
  pacer.schedule(task('marker'), 1_000.9);
  assert.is(pacer.size, 2);
  await ranCount(2);
  assert.equal(ran, ['moved', 'marker']);
  assert.is(pacer.size, 0);
});

test('a task that schedules itself while due tasks run waits for its own time', async () => {
  const clock = { now: 0 };
  const pacer = new Pacer(() => clock.now);
  let runs = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const again = pacer.task(() => {
    runs++;
    if (runs < 3) {
      clock.now += 10;
      pacer.schedule(again, clock.now + 5);
    } else done();
  });
  pacer.schedule(again, 0);
  const watch = setInterval(() => (clock.now += 5), 1);
  await finished;
  clearInterval(watch);
  assert.is(runs, 3);
  assert.is(pacer.size, 0);
});

test('many tasks keep their order through the heap', async () => {
  const { pacer, ran, task, ranCount } = setup();
  const order = Array.from({ length: 200 }, (_, i) => (i * 7919) % 200);
  for (const i of order) pacer.schedule(task(String(i).padStart(3, '0')), 1_000 + i / 400);
  await ranCount(200);
  assert.equal(ran, [...ran].sort());
  assert.is(ran.length, 200);
});

test('bad arguments name what was wrong', () => {
  const pacer = new Pacer(() => 0);
  assert.throws(() => new Pacer(5 as never), (e: Error) => e instanceof TypeError && e.message === '"clock" expected a function, got number');
  assert.throws(() => pacer.task('run' as never), (e: Error) => e instanceof TypeError && /"run" expected a function/.test(e.message));
  assert.throws(() => pacer.schedule({ dueAt: 0 }, 1), (e: Error) => e instanceof TypeError && /"task" expected a task made by this pacer/.test(e.message));
  const task = pacer.task(() => {});
  assert.throws(() => pacer.schedule(task, Number.NaN), (e: Error) => e instanceof RangeError && /"dueAt" expected a time in ms, got NaN/.test(e.message));
  pacer.schedule(task, 10);
  assert.throws(() => new Pacer(() => 0).schedule(task, 1), (e: Error) => e instanceof RangeError && /"task" is waiting in another pacer/.test(e.message));
  pacer.cancel(task);
  assert.is(pacer.size, 0);
});

test.run();
