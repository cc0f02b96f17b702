/**
 * Verbose device logs, behind the global flag MM_DEBUG. The build defines MM_DEBUG as `false` for
 * release images, so esbuild drops every `if (MM_DEBUG)` statement with its text before anything
 * else, and `true` for `micromine build --debug`. Run from source (tests, tools), nothing defines
 * it: importing this module sets it to true there, so the program logs.
 * @module
 */

declare global {
  /** True in debug images and from source; the constant `false` in release images. */
  var MM_DEBUG: boolean;
}

if (typeof MM_DEBUG === 'undefined') globalThis.MM_DEBUG = true;

export {};
