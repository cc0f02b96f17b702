/**
 * The proof a device gives in `mm.auth`: HMAC-SHA256 under its device key of a domain tag, the
 * node's challenge and the device id. The tag keeps this MAC from ever equalling a result MAC
 * made with the same key; the id binds the proof to the identity claimed in `mm.hello`.
 * @module
 */
import { bytes } from '../assert.ts';
import { hmacSha256, type Digest } from '../digest.ts';
import { asciiBytes } from '../bytes.ts';
import { DEVICE_ID_SIZE } from '../layout.ts';
import { CHALLENGE_SIZE } from './protocol.ts';

/** Domain tag that starts the authentication proof's input (ASCII). */
export const AUTH_TAG = 'micromine/auth/1';

/** HMAC-SHA256(key, AUTH_TAG || challenge (32 bytes) || device id (8 bytes)). */
export function authProof(digest: Digest, key: Uint8Array, challenge: Uint8Array, deviceId: Uint8Array): Uint8Array {
  bytes('key', key, 32);
  bytes('challenge', challenge, CHALLENGE_SIZE);
  bytes('deviceId', deviceId, DEVICE_ID_SIZE);
  const tag = asciiBytes(AUTH_TAG);
  const message = new Uint8Array(tag.length + CHALLENGE_SIZE + DEVICE_ID_SIZE);
  message.set(tag, 0);
  message.set(challenge, tag.length);
  message.set(deviceId, tag.length + CHALLENGE_SIZE);
  return hmacSha256(digest, key, message);
}
