// The simulated board's kernel, preloaded in flash before the image (ROM: not device RAM).
// It keeps what a board's own firmware keeps: timers, sockets and the phase marks, and hands
// their effects to the simulator at the end of each delivery. Everything it does between the
// image's own code is subtracted from the device's computrons by measuring with meter().
//
// The simulator calls micromineSim.deliver(kind, a, b) for each event at the device's virtual
// time; the return value is a JSON text of the effects (timers armed and cleared, socket
// writes, opens and closes), the computrons the image spent per phase, and native costs.
(function () {
	"use strict";
	const call = hostCall;
	const readMeter = typeof computrons === "function" ? computrons : function () { return 0; };
	let rate = 1;
	let costs = {};

	let startedAt = 0;       // virtual ms at the start of the delivery
	let nativeUs = 0;        // native work charged during the delivery (µs)
	let nativeByPhase = {};
	let phase = "idle";
	let phaseMark = 0;       // meter reading when the current phase last resumed
	let spent = {};          // computrons per phase in this delivery
	let inImage = false;
	let effects = fresh();

	const timers = {};
	let nextTimer = 1;
	const sockets = {};
	let nextSocket = 1;

	function fresh() {
		return { armed: [], cleared: [], writes: [], opens: [], closes: [], logs: 0 };
	}

	function account() {
		if (!inImage) return;
		const now = readMeter();
		spent[phase] = (spent[phase] || 0) + now - phaseMark;
		phaseMark = now;
	}

	// Kernel and native-module work inside the image's calls (a timer armed, a digest, a write
	// queued) is not the image's computrons: pause the phase clock around it. Native modules
	// charge their cost in microseconds instead (charge()).
	function pause() {
		const was = inImage;
		account();
		inImage = false;
		return was;
	}
	function resume(was) {
		if (!was) return;
		inImage = true;
		phaseMark = readMeter();
	}

	function now() {
		// The device's clock moves while it computes: what it spent so far in this delivery.
		let used = 0;
		for (const name in spent) used += spent[name];
		if (inImage) used += readMeter() - phaseMark;
		return startedAt + used / rate + nativeUs / 1000;
	}

	function charge(us) {
		nativeUs += us;
		nativeByPhase[phase] = (nativeByPhase[phase] || 0) + us;
	}

	// A timer due `ms` from now; then every `repeat` ms when repeat >= 0.
	function armTimer(callback, ms, repeat) {
		const was = pause();
		const id = nextTimer++;
		const delay = typeof ms === "number" && ms > 0 ? ms : 0;
		timers[id] = { callback: callback, interval: typeof repeat === "number" && repeat >= 0 ? repeat : -1 };
		effects.armed.push([id, now() + delay]);
		resume(was);
		return id;
	}

	function clearTimer(id) {
		const was = pause();
		if (timers[id] !== undefined) {
			delete timers[id];
			effects.cleared.push(id);
		}
		resume(was);
	}

	function open(handlers, host, port) {
		const was = pause();
		const id = nextSocket++;
		sockets[id] = { handlers: handlers };
		effects.opens.push([id, String(host), port | 0]);
		resume(was);
		return id;
	}

	function write(id, text) {
		const was = pause();
		if (sockets[id] !== undefined) effects.writes.push([id, text]);
		resume(was);
	}

	// A socket the image closed, or that the network closed, is forgotten: a board frees it.
	function close(id) {
		const was = pause();
		const socket = sockets[id];
		if (socket !== undefined) {
			delete sockets[id];
			effects.closes.push(id);
		}
		resume(was);
	}

	// A change of phase is also printed (a log frame, sent with the call's answer or before an
	// abort), so that a device that dies mid-call is reported in the phase it died in.
	function mark(name) {
		account();
		if (name !== phase) print(name);
		phase = name;
	}

	function run(callback, args) {
		resume(true);
		try {
			callback.apply(undefined, args);
		} finally {
			account();
			inImage = false;
		}
	}

	// The report of everything since the last one: effects, computrons per phase, native cost.
	function report(failure) {
		const text = JSON.stringify({ e: effects, p: spent, n: nativeByPhase, f: failure, ph: phase });
		effects = fresh();
		spent = {};
		nativeUs = 0;
		nativeByPhase = {};
		return text;
	}

	function begin(time, computronsPerMs, digestCosts) {
		startedAt = time;
		rate = computronsPerMs;
		costs = JSON.parse(digestCosts);
	}

	// A native digest: computed by the simulator, its time charged at the profile's cost.
	function digest(algorithm, bytes) {
		const cost = costs.digests[algorithm];
		if (cost === undefined) throw new Error(algorithm + " is not available on this device");
		const blocks = Math.floor((bytes.byteLength + cost.pad) / cost.block) + 1;
		charge(cost.call + blocks * cost.perBlock);
		const message = new Uint8Array(bytes.byteLength + 1);
		message[0] = cost.code;
		message.set(new Uint8Array(bytes), 1);
		return call(message.buffer);
	}

	function deliver(kind, a, b, time) {
		startedAt = time;
		let failure = "";
		try {
			if (kind === "timer") {
				const timer = timers[a];
				if (timer !== undefined) {
					if (timer.interval < 0) delete timers[a];
					else effects.armed.push([a, now() + timer.interval]);
					run(timer.callback, []);
				}
			} else if (kind === "start") {
				run(a, []);
			} else {
				const socket = sockets[a];
				if (socket !== undefined) {
					if (kind === "closed" || kind === "failed") delete sockets[a];
					run(socket.handlers[kind], [b]);
				}
			}
		} catch (error) {
			failure = String(error);
		}
		return report(failure);
	}

	// The bytes a runtime API was handed: a string of one character per byte, an ArrayBuffer or a
	// view, and a plain array of numbers where the runtime takes one (Espruino). Shared by both ROMs.
	function bytesOf(data, where, arrays) {
		if (typeof data === "string") {
			const bytes = new Uint8Array(data.length);
			for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
			return bytes;
		}
		if (data instanceof ArrayBuffer) return new Uint8Array(data);
		if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
		if (arrays && Array.isArray(data)) return new Uint8Array(data);
		throw new TypeError(where + ": expected a string, " + (arrays ? "an array, " : "") + "an ArrayBuffer or a view");
	}

	globalThis.micromineSim = {
		deliver: deliver,
		now: now,
		charge: charge,
		armTimer: armTimer,
		clearTimer: clearTimer,
		open: open,
		write: write,
		close: close,
		call: call,
		pause: pause,
		resume: resume,
		digest: digest,
		bytesOf: bytesOf,
		// A flash write (NVS or Storage): its time on the device, from the simulator's settings.
		flashWritten: function () { charge(costs.flashWriteUs); },
	};
	globalThis.micromineMark = mark;
	// Boot: the simulator sets the clock, imports or runs the image, then collects its effects.
	globalThis.micromineBoot = begin;
	globalThis.micromineCollect = function () { return report(""); };
	globalThis.micromineDeliver = function (kind, a, b, time) { return deliver(kind, a, b, time); };
})();
