// E.getSizeOf on the simulated Espruino board: the variables (JsVars) a value takes, by the
// model of docs/simulator.md. `bytesEach` is the device's variable size (14 on ESP32).
(function () {
	"use strict";
	let bytesEach = 14;

	function stringVariables(length) {
		const first = bytesEach - 6;
		const extension = bytesEach - 4;
		return length <= first ? 1 : 1 + Math.ceil((length - first) / extension);
	}

	// A property name: up to 4 characters inside the name variable, the rest in extensions.
	function nameVariables(key) {
		return key.length <= 4 ? 1 : 1 + Math.ceil((key.length - 4) / (bytesEach - 4));
	}

	// Small integers and booleans pack into the name variable of a short key.
	function packs(key, value) {
		if (typeof value === "boolean") return true;
		return typeof value === "number" && (value | 0) === value && value >= -32768 && value <= 32767 && key.length <= 4;
	}

	function sizeOf(value, seen) {
		if (value === null || value === undefined) return 1;
		const type = typeof value;
		if (type === "number" || type === "boolean") return 1;
		if (type === "string") return stringVariables(value.length);
		if (seen.indexOf(value) >= 0) return 0;
		seen.push(value);
		if (value instanceof ArrayBuffer) return 1 + bufferVariables(value.byteLength);
		if (ArrayBuffer.isView(value)) return 1 + sizeOf(value.buffer, seen);
		let total = 1;
		if (type === "function") total += 2; // the code: a name and a string pointing into flash
		const keys = Object.keys(value);
		for (let i = 0; i < keys.length; i++) {
			const key = keys[i];
			const item = value[key];
			total += nameVariables(key) + (packs(key, item) ? 0 : sizeOf(item, seen));
		}
		return total;
	}

	// Buffers of more than two variables are one flat block: a header and the bytes.
	function bufferVariables(bytes) {
		return bytes <= 2 * (bytesEach - 4) ? stringVariables(bytes) : 1 + Math.ceil(bytes / bytesEach);
	}

	globalThis.micromineVariables = function (value, size) {
		if (typeof size === "number") bytesEach = size;
		return sizeOf(value, []);
	};
})();
