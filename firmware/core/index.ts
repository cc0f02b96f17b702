/**
 * The device validation core: binary formats, the streaming validator, shares and the result
 * MAC. Pure code in the language subset both Moddable XS and Espruino run; hashing and
 * signature checks come in through interfaces.
 * @module
 */
export * from './assert.ts';
export * from './bytes.ts';
export * from './digest.ts';
export * from './entry.ts';
export * from './errors.ts';
export * from './header.ts';
export * from './layout.ts';
export * from './merkle.ts';
export * from './proof.ts';
export * from './reasons.ts';
export * from './result.ts';
export * from './share.ts';
export * from './tx.ts';
export * from './u64.ts';
export * from './validator.ts';
