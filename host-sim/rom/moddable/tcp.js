// ECMA-419 `embedded:io/socket/tcp` on the simulated board: a real TCP connection made by the
// simulator, its bytes delivered as events at virtual time.
const sim = globalThis.micromineSim;

function textOf(buffer) {
	const bytes = ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
	let text = "";
	for (let i = 0; i < bytes.length; i += 32) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 32));
	return text;
}

export default class TCP {
	#id;
	#input = [];
	constructor(options) {
		const host = options.address !== undefined ? options.address : options.host;
		if (typeof host !== "string" || typeof options.port !== "number") throw new TypeError("TCP: expected address or host, and port");
		const self = this;
		const input = this.#input;
		this.#id = sim.open({
			connected() {
				if (options.onWritable) options.onWritable.call(self, 4096);
			},
			data(buffer) {
				input.push(new Uint8Array(buffer));
				if (options.onReadable) options.onReadable.call(self, buffer.byteLength);
			},
			closed() {
				if (options.onError) options.onError.call(self);
			},
			failed() {
				if (options.onError) options.onError.call(self);
			},
		}, host, options.port);
	}
	read(count) {
		const was = sim.pause();
		try {
			let available = 0;
			for (const part of this.#input) available += part.length;
			const size = count === undefined ? available : Math.min(count, available);
			const out = new Uint8Array(size);
			let at = 0;
			while (at < size) {
				const part = this.#input[0];
				const take = Math.min(part.length, size - at);
				out.set(part.subarray(0, take), at);
				at += take;
				if (take === part.length) this.#input.shift();
				else this.#input[0] = part.subarray(take);
			}
			return out.buffer;
		} finally {
			sim.resume(was);
		}
	}
	write(buffer) {
		const was = sim.pause();
		try {
			sim.write(this.#id, textOf(buffer));
		} finally {
			sim.resume(was);
		}
	}
	close() {
		sim.close(this.#id);
	}
}
