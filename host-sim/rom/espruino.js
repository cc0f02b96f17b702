// The Espruino globals an image uses, on the simulated board: timers on the virtual clock,
// require("net") over a real TCP connection, require("Storage") over the flash file,
// require("crypto") computed natively and charged at the profile's cost, E, process and
// getTime. Data arrives as strings of one character per byte, as Espruino delivers it.
(function () {
	"use strict";
	const sim = globalThis.micromineSim;

	function latin1(buffer) {
		const bytes = new Uint8Array(buffer);
		let text = "";
		for (let i = 0; i < bytes.length; i += 32) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 32));
		return text;
	}

	function bytesOf(data) {
		return sim.bytesOf(data, "Espruino", true);
	}

	function native(run) {
		const was = sim.pause();
		try {
			return run();
		} finally {
			sim.resume(was);
		}
	}

	function connect(options, onConnect) {
		const listeners = { data: [], close: [], error: [] };
		function emit(kind, value) {
			const list = listeners[kind];
			for (let i = 0; i < list.length; i++) list[i](value);
		}
		const socket = {
			on: function (kind, listener) {
				if (listeners[kind] !== undefined) listeners[kind].push(listener);
				return socket;
			},
			write: function (data) {
				sim.write(id, typeof data === "string" ? data : native(function () { return latin1(bytesOf(data)); }));
				return true;
			},
			end: function () {
				sim.close(id);
			},
		};
		const id = sim.open({
			connected: function () {
				if (typeof onConnect === "function") onConnect();
			},
			data: function (buffer) {
				emit("data", native(function () { return latin1(buffer); }));
			},
			closed: function () {
				emit("close", false);
			},
			failed: function (message) {
				emit("error", { message: message });
				emit("close", true);
			},
		}, options.host, options.port);
		return socket;
	}

	function storageCall(parts) {
		return native(function () { return sim.call(JSON.stringify(parts)); });
	}

	const Storage = {
		read: function (name) {
			const value = storageCall(["storage.read", String(name)]);
			return value === null ? undefined : value;
		},
		readJSON: function (name, noExceptions) {
			const text = Storage.read(name);
			if (text === undefined) return undefined;
			try {
				return JSON.parse(text);
			} catch (error) {
				if (noExceptions) return undefined;
				throw error;
			}
		},
		write: function (name, data) {
			const text = typeof data === "string" ? data : native(function () { return latin1(bytesOf(data)); });
			const written = storageCall(["storage.write", String(name), text]) === true;
			sim.flashWritten();
			return written;
		},
		erase: function (name) {
			storageCall(["storage.erase", String(name)]);
			sim.flashWritten();
		},
		list: function () {
			return JSON.parse(storageCall(["storage.list"]));
		},
	};

	function hash(algorithm) {
		return function (data) {
			return native(function () { return sim.digest(algorithm, bytesOf(data).slice().buffer); });
		};
	}
	const crypto = { SHA1: hash("SHA1"), SHA224: hash("SHA224"), SHA256: hash("SHA256"), SHA384: hash("SHA384"), SHA512: hash("SHA512") };
	const modules = { net: { connect: connect }, Storage: Storage, crypto: crypto };

	globalThis.require = function (name) {
		const module = modules[name];
		if (module === undefined) throw new Error('Module "' + name + '" not found');
		return module;
	};
	globalThis.setTimeout = function (callback, ms) {
		return sim.armTimer(callback, ms, -1);
	};
	globalThis.setInterval = function (callback, ms) {
		return sim.armTimer(callback, ms, ms);
	};
	globalThis.clearTimeout = globalThis.clearInterval = function (id) {
		if (id !== undefined) sim.clearTimer(id);
	};
	globalThis.getTime = function () {
		return sim.now() / 1000;
	};
	globalThis.console = {
		log: function () {
			const parts = [];
			for (let i = 0; i < arguments.length; i++) parts.push(String(arguments[i]));
			trace(parts.join(" ") + "\n");
		},
	};
	globalThis.E = {
		// The simulator's watchdog is the longest delivery (a board's task watchdog fires when one
		// callback runs too long), so kicking between callbacks has nothing more to do.
		kickWatchdog: function () {},
		enableWatchdog: function () {},
		getSizeOf: function (value) {
			return native(function () { return globalThis.micromineVariables(value); });
		},
	};
	globalThis.process = {
		memory: function () {
			return JSON.parse(storageCall(["memory"]));
		},
	};
})();
