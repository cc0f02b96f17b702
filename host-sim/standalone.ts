/**
 * One device on its own, with no network: boots it and delivers its timers in order of virtual
 * time until none is left or `horizonMs` passes. A connection it opens fails at once (as with no
 * Wi-Fi). For images under test (memory, CPU budget, deadlines, the self-test) and calibration.
 * @module
 */
import type { SimDevice } from './device.ts';
import { EventQueue } from './events.ts';

/** Runs `device` alone; resolves when it has nothing left to do, stopped, or passed the horizon. */
export async function runStandalone(device: SimDevice, horizonMs = 60_000): Promise<SimDevice> {
  const queue = new EventQueue<{ id: number; armed: number } | { socket: number }>();
  const current = new Map<number, number>();
  let armings = 0;
  let effects = await device.boot(0);
  while (effects !== undefined) {
    for (const id of effects.cleared) current.delete(id);
    for (const [id, due] of effects.armed) {
      current.set(id, ++armings);
      queue.push(due, 0, { id, armed: armings });
    }
    for (const [socket] of effects.opens) queue.push(device.clock, 0, { socket });
    effects = undefined;
    let next;
    while ((next = queue.pop()) !== undefined && next.time <= horizonMs && device.running) {
      const event = next.event;
      if ('socket' in event) {
        effects = await device.deliver({ kind: 'failed', socket: event.socket, message: 'no network' }, next.time);
        break;
      }
      if (current.get(event.id) !== event.armed) continue;
      current.delete(event.id);
      effects = await device.deliver({ kind: 'timer', id: event.id }, next.time);
      break;
    }
  }
  return device;
}
