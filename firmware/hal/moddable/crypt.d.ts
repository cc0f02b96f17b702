// @moddable/typings has no declaration for Moddable's `crypt` module; this is the part of its
// `Digest` class the adapter uses (modules/crypt/digest/crypt.js in the Moddable SDK: the
// constructor takes the algorithm name, `write` adds data, `close` returns the digest as an
// ArrayBuffer, `reset` starts over).
declare module 'crypt' {
  export class Digest {
    constructor(algorithm: 'MD5' | 'SHA1' | 'SHA224' | 'SHA256' | 'SHA384' | 'SHA512');
    write(data: ArrayBuffer | string): void;
    close(): ArrayBuffer;
    reset(): void;
  }
}
