// Moddable's `crypt` Digest: the hash is computed natively by the simulator and its time is
// charged to the device at the profile's cost per block (manifests/profiles/<target>.json).
const sim = globalThis.micromineSim;

export class Digest {
	#algorithm;
	#parts = [];
	constructor(algorithm) {
		this.#algorithm = String(algorithm).toUpperCase();
	}
	write(data) {
		const was = sim.pause();
		try {
			this.#parts.push(sim.bytesOf(data, "Digest", false).slice());
		} finally {
			sim.resume(was);
		}
	}
	close() {
		const was = sim.pause();
		try {
			let length = 0;
			for (const part of this.#parts) length += part.length;
			const all = new Uint8Array(length);
			let at = 0;
			for (const part of this.#parts) {
				all.set(part, at);
				at += part.length;
			}
			this.#parts = [];
			return sim.digest(this.#algorithm, all.buffer);
		} finally {
			sim.resume(was);
		}
	}
	reset() {
		this.#parts = [];
	}
}
export default { Digest };
