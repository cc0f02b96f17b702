// The shapes of device profiles and budgets as loaded from manifests/. Every field is documented
// in docs/manifests.md; the validators in schema.ts are typed against these interfaces, so the
// two cannot drift apart.

/** A target name: one image, one profile, one budget (see docs/decisions.md). */
export type Target = string;

/** The JavaScript runtime that runs a target's image. */
export type Runtime = 'xs' | 'espruino';

/** What a device validates: `hash` checks everything but signatures, `sig` adds Ed25519. */
export type Tier = 'hash' | 'sig';

/** Where a figure comes from; estimates are replaced by measurements as boards are calibrated. */
export type Provenance = 'measured' | 'published' | 'estimate';

/** A number with its provenance written next to it. */
export interface Sourced {
  /** The figure itself, in the unit the field name states. */
  value: number;
  /** How trustworthy the figure is. */
  source: Provenance;
  /** How it was obtained (a measurement, a citation, or the reasoning behind an estimate). */
  note: string;
}

/** Digest algorithm names shared by Moddable's `crypt` `Digest` and Espruino's `crypto`. */
export type DigestName = 'SHA1' | 'SHA224' | 'SHA256' | 'SHA384' | 'SHA512';

/** The cost the simulator charges for one call to a native digest. */
export interface DigestCost {
  /** Compression block size in bytes (64 for SHA-1/SHA-2-256, 128 for SHA-2-512). */
  blockBytes: number;
  /** Microseconds per compressed block. */
  usPerBlock: Sourced;
  /** Fixed microseconds per call (binding overhead, buffer copies). */
  usPerCall: Sourced;
}

/** Native digests a runtime offers; absent names are not available on the device. */
export type Digests = Partial<Record<DigestName, DigestCost>>;

/** The chip and board a target is built for. */
export interface Board {
  /** Moddable `-p` platform (e.g. `esp32/nodemcu`) or Espruino `--board` name (e.g. `ESP32`). */
  name: string;
  /** Espressif chip family. */
  chip: 'esp32' | 'esp32s3' | 'esp32c3';
}

/** CPU facts and the simulator's rate. */
export interface Cpu {
  /** Core clock in MHz. */
  clockMHz: number;
  /** Computrons the device executes per millisecond (for Espruino: the XS-equivalent rate). */
  computronsPerMs: Sourced;
}

/** An XS allocation with an initial size and a growth step (0 = no growth). */
export interface Growth {
  initial: number;
  incremental: number;
}

/** XS machine creation parameters, as in a Moddable manifest's `creation` block. */
export interface XsCreation {
  /** Bytes of the single static block (0 = separate chunk and slot heaps). */
  static: number;
  /** Chunk heap in bytes. */
  chunk: Growth;
  /** Slot heap in slots. */
  heap: Growth;
  /** Stack in slots. */
  stack: number;
  /** Runtime key table: initial/incremental entries, name and symbol table sizes. */
  keys: { initial: number; incremental: number; name: number; symbol: number };
}

/** RAM as XS counts it. */
export interface XsRam {
  creation: XsCreation;
  /** Bytes per slot on the device (16 on a 32-bit MCU). */
  slotBytes: number;
}

/** RAM as Espruino counts it. */
export interface EspruinoRam {
  /** Number of JsVars the firmware allocates. */
  variables: number;
  /** Bytes per JsVar for that variable count. */
  bytesPerVariable: number;
}

/** Moddable flash areas the app relies on. */
export interface XsFlash {
  /** Bytes of the mod partition that holds a JS-only archive. */
  modBytes: number;
  /** NVS-backed Preference store. */
  preference: { nvsBytes: Sourced; maxNameChars: number; maxValueBytes: number };
}

/** Espruino flash areas the app relies on. */
export interface EspruinoFlash {
  /** Bytes the `Storage` module can use (saved code and files). */
  storageBytes: number;
}

interface ProfileBase<R extends Runtime, T extends Tier> {
  /** Must equal the file name without `.json`. */
  target: Target;
  runtime: R;
  tier: T;
  board: Board;
  cpu: Cpu;
  /** Longest slice of work (ms, device time) the app may run before yielding. */
  sliceMs: number;
  /** Round-trip network latency the simulator adds per message. */
  network: { latencyMs: Sourced };
  digests: Digests;
}

/** A Moddable XS device. */
export interface XsProfile extends ProfileBase<'xs', Tier> {
  ram: XsRam;
  flash: XsFlash;
}

/** An Espruino device. */
export interface EspruinoProfile extends ProfileBase<'espruino', Tier> {
  /**
   * The Espruino release the image is built for (`2v21`, `2v20.48`): the oldest firmware
   * `micromine flash` accepts on the board, and what decides the image's pretokenised form
   * (string literals become raw string tokens from 2v20.48; docs/build.md).
   */
  firmware: string;
  ram: EspruinoRam;
  flash: EspruinoFlash;
}

/** A device profile: what the device is and what the simulator must emulate. */
export type Profile = XsProfile | EspruinoProfile;

/** Image size limits. */
export interface ImageBudget {
  /** The minified JavaScript. */
  rawBytes: number;
  gzipBytes: number;
  /** Espruino only: the pretokenised bytes that go to Storage. */
  storedBytes?: number;
}

/** Peak RAM in XS units. */
export interface XsRamBudget {
  slots: number;
  chunkBytes: number;
}

/** Peak RAM in Espruino units. */
export interface EspruinoRamBudget {
  variables: number;
}

/** Computron budgets for the standard workload. */
export interface ComputronBudget {
  hashEntry: number;
  /** Only on `sig` targets. */
  sigEntry?: number;
  shareAttempt: number;
  unit: number;
}

/** The figures a target's image and workload must stay within. */
export interface Budget {
  target: Target;
  /** True until the figures are tuned against real images (see docs/manifests.md). */
  provisional: boolean;
  note: string;
  image: ImageBudget;
  ram: XsRamBudget | EspruinoRamBudget;
  computrons: ComputronBudget;
}

/** How far a figure may move before `report --check` fails. */
export interface Tolerance {
  /** Image bytes: any growth past the budget fails; `regressionPercent` against the baseline. */
  bytes: { regressionPercent: number };
  /** Peak RAM: same rule as bytes. */
  ram: { regressionPercent: number };
  /** Computrons: deterministic, so a small regression against the baseline fails. */
  computrons: { regressionPercent: number };
}
