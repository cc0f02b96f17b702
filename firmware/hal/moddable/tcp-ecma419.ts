/**
 * TCP to the node through ECMA-419's `embedded:io/socket/tcp` (the default: a standard API,
 * byte buffers in both directions, no string conversion in the host). The build selects
 * tcp-socket.ts instead with `--tcp socket` (docs/build.md).
 * @module
 */
import TCP from 'embedded:io/socket/tcp';
import { asciiBytes } from '../../core/bytes.ts';
import type { Connection, ConnectionEvents } from '../hal.ts';
import { isIPv4 } from './address.ts';

/**
 * The bytes of `buffer` as a string of one character per byte, what the framer reads. (XS's
 * native `String.fromArrayBuffer` decodes UTF-8 and stops at a zero byte, so it would hand the
 * parser something other than what arrived; the simulator's XS build lacks it too.)
 */
function byteString(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

/** Opens a connection; the first `onWritable` means it is established. */
export function connectTcp(host: string, port: number, events: ConnectionEvents): Connection {
  let open = false;
  let ended = false;
  const handlers = {
    port: port,
    format: 'buffer' as const,
    onWritable: function () {
      if (open || ended) return;
      open = true;
      events.onConnect();
    },
    onReadable: function (this: TCP, count: number) {
      if (!ended) events.onData(byteString(this.read(count) as ArrayBuffer));
    },
    // ECMA-419 reports a failed connection, a reset and the peer's close all here.
    onError: function () {
      if (ended) return;
      ended = true;
      events.onClose(open ? 'connection lost' : 'cannot connect');
    },
  };
  const socket = isIPv4(host) ? new TCP({ ...handlers, address: host }) : new TCP({ ...handlers, host: host });
  return {
    write: function (text: string) {
      // Lines are ASCII (docs/protocol-wire.md): one byte per character.
      socket.write(asciiBytes(text));
    },
    close: function () {
      ended = true;
      socket.close();
    },
  };
}
