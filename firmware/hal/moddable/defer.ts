/**
 * Helpers both Moddable TCP adapters share.
 * @module
 */
import Timer from 'timer';
import type { Connection, ConnectionEvents } from '../hal.ts';

/** A connection that failed at once, reported from a timer (the hal never reports from inside connect). */
export function deferredFailure(events: ConnectionEvents, message: string): Connection {
  let closed = false;
  Timer.set(function () {
    if (!closed) events.onError(message);
  }, 0);
  return {
    write: function () {},
    close: function () {
      closed = true;
    },
  };
}

/** True for a dotted-quad IPv4 address. */
export function isIPv4(host: string): boolean {
  const parts = host.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    if (part.length < 1 || part.length > 3) return false;
    for (let j = 0; j < part.length; j++) if (part.charCodeAt(j) < 48 || part.charCodeAt(j) > 57) return false;
    if (parseInt(part, 10) > 255) return false;
  }
  return true;
}
