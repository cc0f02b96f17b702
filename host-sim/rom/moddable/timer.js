// Moddable's `timer` module on the simulated board: timers on the device's virtual clock.
const sim = globalThis.micromineSim;

export default class Timer {
	static set(callback, delay, repeat) {
		const id = sim.armTimer(function () { callback(id); }, delay, repeat);
		return id;
	}
	static repeat(callback, interval) {
		const id = sim.armTimer(function () { callback(id); }, interval, interval);
		return id;
	}
	static clear(id) {
		if (id !== undefined && id !== null) sim.clearTimer(id);
	}
	// A busy wait: the device's clock moves and nothing else runs.
	static delay(ms) {
		sim.charge(ms * 1000);
	}
}
