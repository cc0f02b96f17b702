// Moddable's older `socket` module on the simulated board (`micromine build --tcp socket`).
const sim = globalThis.micromineSim;

export class Socket {
	#id;
	#input = "";
	constructor(options) {
		const self = this;
		this.#id = sim.open({
			connected() {
				if (self.callback) self.callback(1);
			},
			data(buffer) {
				const bytes = new Uint8Array(buffer);
				let text = "";
				for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
				self.#input += text;
				if (self.callback) self.callback(2, bytes.length);
			},
			closed() {
				if (self.callback) self.callback(-1);
			},
			failed() {
				if (self.callback) self.callback(-2);
			},
		}, options.host, options.port);
	}
	read(type) {
		const text = this.#input;
		this.#input = "";
		if (type === String) return text;
		const bytes = new Uint8Array(text.length);
		for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
		return bytes.buffer;
	}
	write(data) {
		sim.write(this.#id, typeof data === "string" ? data : String.fromCharCode.apply(null, Array.from(new Uint8Array(data))));
	}
	close() {
		sim.close(this.#id);
	}
}
export default { Socket };
