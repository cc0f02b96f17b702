/**
 * TCP to the node through Moddable's `socket` module, for hosts built without the ECMA-419 IO
 * modules (`micromine build --tcp socket`, docs/build.md).
 * @module
 */
import { Socket } from 'socket';
import type { Connection, ConnectionEvents } from '../hal.ts';

/** The socket module's callback messages. */
const DISCONNECT = -1;
const ERROR = -2;
const CONNECT = 1;
const DATA = 2;

/** Opens a connection; the socket's callback reports its progress. */
export function connectTcp(host: string, port: number, events: ConnectionEvents): Connection {
  let ended = false;
  const socket = new Socket({ host: host, port: port });
  socket.callback = function (message: number) {
    if (ended) return;
    if (message === CONNECT) events.onConnect();
    else if (message === DATA) events.onData(socket.read(String));
    else if (message === DISCONNECT || message === ERROR) {
      ended = true;
      events.onClose(message === DISCONNECT ? 'closed' : 'socket error');
    }
  };
  return {
    write: function (text: string) {
      socket.write(text);
    },
    close: function () {
      ended = true;
      socket.close();
    },
  };
}
