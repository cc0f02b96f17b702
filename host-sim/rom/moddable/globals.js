// What Moddable's XS adds to the standard built-ins and the desktop engine lacks.
(function () {
	"use strict";
	// ArrayBuffer.fromString(text): the UTF-8 bytes of `text` (Moddable's xsArrayBuffer extension).
	if (typeof ArrayBuffer.fromString !== "function") {
		Object.defineProperty(ArrayBuffer, "fromString", {
			configurable: true,
			writable: true,
			value: function fromString(text) {
				const value = String(text);
				const bytes = [];
				for (let i = 0; i < value.length; i++) {
					let code = value.codePointAt(i);
					if (code > 0xffff) i++;
					if (code < 0x80) bytes.push(code);
					else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63));
					else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
					else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
				}
				return new Uint8Array(bytes).buffer;
			},
		});
	}
})();
