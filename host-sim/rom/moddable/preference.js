// Moddable's `preference` module over the simulator's flash file (NVS on the board): names of
// 1-15 characters, values of strings, integers, booleans or ArrayBuffers up to 4000 bytes.
const sim = globalThis.micromineSim;

function name(kind, value) {
	if (typeof value !== "string" || value.length < 1 || value.length > 15) throw new Error("invalid " + kind + " name");
	return value;
}

function hexOf(buffer) {
	const bytes = new Uint8Array(buffer);
	let text = "";
	for (let i = 0; i < bytes.length; i++) text += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
	return text;
}

function request(parts) {
	const was = sim.pause();
	try {
		return sim.call(JSON.stringify(parts));
	} finally {
		sim.resume(was);
	}
}

export default class Preference {
	static get(domain, key) {
		const value = request(["pref.get", name("domain", domain), name("key", key)]);
		return value === null ? undefined : value;
	}
	static set(domain, key, value) {
		let typed;
		if (typeof value === "string") typed = ["s", value];
		else if (typeof value === "boolean") typed = ["b", value];
		else if (typeof value === "number" && (value | 0) === value) typed = ["i", value];
		else if (value instanceof ArrayBuffer) typed = ["a", hexOf(value)];
		else throw new Error("invalid value");
		request(["pref.set", name("domain", domain), name("key", key), typed[0], typed[1]]);
		sim.flashWritten();
	}
	static delete(domain, key) {
		request(["pref.delete", name("domain", domain), name("key", key)]);
		sim.flashWritten();
	}
	static keys(domain) {
		return JSON.parse(request(["pref.keys", name("domain", domain)]));
	}
}
