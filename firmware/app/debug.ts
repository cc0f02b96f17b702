/**
 * Verbose device logs. The build defines MM_DEBUG: false for release images, and esbuild drops
 * every statement `if (DEBUG)` guards together with its text; `micromine build --debug` makes
 * images that keep them. Run from source (tests, tools), where nothing defines MM_DEBUG, the
 * program logs.
 * @module
 */

declare const MM_DEBUG: boolean;

/** True in debug images and from source; false (and folded away) in release images. */
export const DEBUG: boolean = typeof MM_DEBUG === 'undefined' || MM_DEBUG;
