/**
 * ECMA-419 sockets take an IP `address` or a `host` name to resolve: this tells them apart.
 * @module
 */

/** True for a dotted-quad IPv4 address. */
export function isIPv4(host: string): boolean {
  const parts = host.split('.');
  let valid = parts.length === 4;
  for (let i = 0; valid && i < 4; i++) {
    const part = parts[i];
    valid = part.length >= 1 && part.length <= 3 && String(parseInt(part, 10)) === part && parseInt(part, 10) <= 255;
  }
  return valid;
}
