/**
 * The two requests a simulated device sends for every entry and every result, `mm.pull` and
 * `mm.submit`, written from templates: the same bytes as the device's own `request`
 * (firmware/core/wire/client.ts) builds with JSON.stringify, and the same change to the
 * connection's request state, without an object, an array and a serialisation per line (the
 * loadgen tests hold the two to each other). Every other request goes through `request`.
 * @module
 */
import { bytes, misuse, u32 } from '../../firmware/core/assert.ts';
import { RESULT_SIZE } from '../../firmware/core/layout.ts';
import { reasonOf } from '../../firmware/core/reasons.ts';
import type { WireClient } from '../../firmware/core/wire/client.ts';
import { DEVICE_METHODS, METHOD_PULL, METHOD_SUBMIT, type MethodId } from '../../firmware/core/wire/protocol.ts';
import { hexOf } from '../../protocol/hex.ts';

const PULL = `,"method":${JSON.stringify(DEVICE_METHODS[METHOD_PULL])},"params":[`;
const SUBMIT = `,"method":${JSON.stringify(DEVICE_METHODS[METHOD_SUBMIT])},"params":[`;

/** Takes the client's next request id for `method`, as `request` does; RangeError `"method" busy` while one awaits its answer. */
function claim(client: WireClient, method: MethodId): number {
  if (client.awaiting !== null) misuse('method', 'busy');
  client.awaiting = method;
  client.lastId = client.lastId % 0xffffffff + 1;
  return client.lastId;
}

/**
 * The `mm.pull` line (with its `\n`) for entry `index` of unit `unitId`, reporting the verdict
 * code of entry `index - 1` (null exactly when `index` is 0); argument errors as pullRequest's
 * (protocol/device-requests.ts).
 */
export function pullLine(client: WireClient, unitId: number, index: number, previousVerdict: number | null): string {
  u32('unitId', unitId);
  u32('index', index);
  if ((index === 0) !== (previousVerdict === null)) throw new RangeError('"previousVerdict" must be null exactly when "index" is 0');
  if (previousVerdict !== null && reasonOf(previousVerdict) === undefined) throw new RangeError(`"previousVerdict" expected a reason code, got ${previousVerdict}`);
  return `{"id":${claim(client, METHOD_PULL)}${PULL}${unitId},${index},${previousVerdict}]}\n`;
}

/** The `mm.submit` line (with its `\n`) sending `result` (112 bytes with its MAC) for unit `unitId`. */
export function submitLine(client: WireClient, unitId: number, result: Uint8Array): string {
  u32('unitId', unitId);
  const hex = hexOf(bytes('result', result, RESULT_SIZE));
  return `{"id":${claim(client, METHOD_SUBMIT)}${SUBMIT}${unitId},"${hex}"]}\n`;
}
