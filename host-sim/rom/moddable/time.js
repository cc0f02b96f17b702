// Moddable's `time` module: `ticks` is the device's virtual clock in whole milliseconds.
const sim = globalThis.micromineSim;

export default class Time {
	static get ticks() {
		return Math.floor(sim.now());
	}
}
