/*
 * The bridge between the VM and Node: values crossing in both directions, and the globals the
 * host adds to the built-ins (print, trace, hostCall).
 */
#include "mm.h"

txBoolean gmmBooting = 0;

/* ---------------------------------------------------------------- values */

/* The bytes of an ArrayBuffer, typed array or DataView, or 0 if the slot is none of them. */
txBoolean mmViewBytes(txMachine* the, txSlot* slot, txByte** data, txInteger* length)
{
	if (slot->kind != XS_REFERENCE_KIND)
		return 0;
	txSlot* internal = slot->value.reference->next;
	if (!internal || !(internal->flag & XS_INTERNAL_FLAG))
		return 0;
	if (internal->kind == XS_ARRAY_BUFFER_KIND) {
		*data = internal->value.arrayBuffer.address;
		*length = *data ? internal->next->value.bufferInfo.length : 0;
		return 1;
	}
	if (internal->kind == XS_TYPED_ARRAY_KIND)
		internal = internal->next;
	if (internal->kind == XS_DATA_VIEW_KIND) {
		txSlot* buffer = internal->next;
		txSlot* arrayBuffer = buffer->value.reference->next;
		if ((arrayBuffer->kind != XS_ARRAY_BUFFER_KIND) || !arrayBuffer->value.arrayBuffer.address) {
			*data = C_NULL;
			*length = 0;
			return 1;
		}
		*length = fxGetDataViewSize(the, internal, buffer);
		*data = arrayBuffer->value.arrayBuffer.address + internal->value.dataView.offset;
		return 1;
	}
	return 0;
}

char* mmCopy(const void* data, size_t length)
{
	char* copy = c_malloc(length + 1);
	if (!copy)
		mmProtocolError("out of host memory");
	if (length)
		c_memcpy(copy, data, length);
	copy[length] = 0;
	return copy;
}

/* May run JS (String() of an object), so it is done before any frame is written. */
void mmCapture(txMachine* the, txSlot* slot, mmValue* value)
{
	txByte* data;
	txInteger length;
	value->bytes = C_NULL;
	value->length = 0;
	switch (slot->kind) {
	case XS_UNDEFINED_KIND: value->tag = 'u'; return;
	case XS_NULL_KIND: value->tag = 'n'; return;
	case XS_BOOLEAN_KIND: value->tag = slot->value.boolean ? 't' : 'f'; return;
	case XS_INTEGER_KIND: value->tag = 'd'; value->number = slot->value.integer; return;
	case XS_NUMBER_KIND: value->tag = 'd'; value->number = slot->value.number; return;
	default:
		break;
	}
	if (mmViewBytes(the, slot, &data, &length)) {
		value->tag = 'b';
		value->bytes = mmCopy(data, (size_t)length);
		value->length = (uint32_t)length;
		return;
	}
	mxPushSlot(slot);
	txString string = fxToString(the, the->stack);
	value->tag = 's';
	value->length = (uint32_t)mxStringLength(string);
	value->bytes = mmCopy(string, value->length);
	mxPop();
}

void mmWriteValue(mmValue* value)
{
	mmWriteU8(value->tag);
	if (value->tag == 'd')
		mmWriteF64(value->number);
	else if ((value->tag == 's') || (value->tag == 'b'))
		mmWriteBytes(value->bytes, value->length);
	c_free(value->bytes);
	value->bytes = C_NULL;
}

/* Reads one tagged value into a VM slot (allocating in the device's heaps, as a received
 * message does on the board). */
void mmReadValue(txMachine* the, mmReader* reader, txSlot* target)
{
	uint8_t tag = mmReadU8(reader);
	uint32_t length;
	const uint8_t* bytes;
	switch (tag) {
	case 'u': target->kind = XS_UNDEFINED_KIND; break;
	case 'n': target->kind = XS_NULL_KIND; break;
	case 't': case 'f': target->kind = XS_BOOLEAN_KIND; target->value.boolean = (tag == 't'); break;
	case 'd': target->kind = XS_NUMBER_KIND; target->value.number = mmReadF64(reader); break;
	case 's':
		bytes = mmReadBytes(reader, &length);
		fxStringBuffer(the, target, (txString)bytes, (txSize)length);
		break;
	case 'b':
		bytes = mmReadBytes(reader, &length);
		fxArrayBuffer(the, target, (void*)bytes, (txInteger)length, -1);
		break;
	default:
		mmProtocolError("unknown value tag");
	}
}

char* mmReadString(mmReader* reader, uint32_t* length)
{
	const uint8_t* bytes = mmReadBytes(reader, length);
	return mmCopy(bytes, *length);
}

/* ---------------------------------------------------------------- the VM's host functions */

typedef struct {
	char* data;
	size_t size, capacity;
} mmText;

static void mmAppend(mmText* text, const char* data, size_t length)
{
	if (text->size + length + 1 > text->capacity) {
		size_t capacity = text->capacity ? text->capacity : 256;
		while (capacity < text->size + length + 1)
			capacity *= 2;
		char* grown = c_realloc(text->data, capacity);
		if (!grown)
			mmProtocolError("out of host memory for a log line");
		text->data = grown;
		text->capacity = capacity;
	}
	c_memcpy(text->data + text->size, data, length);
	text->size += length;
}

static void mmLogArguments(txMachine* the, uint8_t channel, const char* separator)
{
	mmText text = { C_NULL, 0, 0 };
	txInteger count = mxArgc;
	mxTry(the) {
		for (txInteger index = 0; index < count; index++) {
			if (index && separator)
				mmAppend(&text, separator, c_strlen(separator));
			txString string = fxToString(the, mxArgv(index));
			mmAppend(&text, string, mxStringLength(string));
		}
	}
	mxCatch(the) {
		c_free(text.data);
		fxJump(the);
	}
	mmLog(channel, text.data ? text.data : "", text.size);
	c_free(text.data);
}

/* print(...values): one line, values separated by spaces (XS's command line tools). */
static void mm_print(txMachine* the)
{
	mmLogArguments(the, mmLogPrint, " ");
}

/* trace(...values): Moddable's trace, text as given, no line ending added. */
static void mm_trace(txMachine* the)
{
	mmLogArguments(the, mmLogTrace, C_NULL);
}

/* hostCall(message): sends a string or bytes to Node and returns its reply synchronously. */
static void mm_hostCall(txMachine* the)
{
	txByte* data;
	txInteger length;
	if (gmmBooting)
		mxTypeError("not available while the ROM is built");
	if (mxArgc < 1)
		mxTypeError("expected a message (string, ArrayBuffer, typed array or DataView)");
	txSlot* message = mxArgv(0);
	if ((message->kind == XS_STRING_KIND) || (message->kind == XS_STRING_X_KIND)) {
		mmBeginFrame('H');
		mmWriteU8('s');
		mmWriteBytes(message->value.string, (uint32_t)mxStringLength(message->value.string));
	}
	else if (mmViewBytes(the, message, &data, &length)) {
		mmBeginFrame('H');
		mmWriteU8('b');
		mmWriteBytes(data, (uint32_t)length);
	}
	else
		mxTypeError("expected a message (string, ArrayBuffer, typed array or DataView)");
	mmEndFrame();
	mmFlush();
	mmReader reader;
	if (!mmReadFrame(&reader))
		exit(0); /* the driver closed the device while it waited */
	uint8_t type = mmReadU8(&reader);
	if (type == 'R')
		mmReadValue(the, &reader, mxResult);
	else if (type == 'J') {
		uint32_t size;
		const uint8_t* text = mmReadBytes(&reader, &size);
		char message[1024];
		c_snprintf(message, sizeof(message), "hostCall: %.*s", (int)(size < 1000 ? size : 1000), (const char*)text);
		mmThrowError(the, &mxErrorConstructor, message);
	}
	else if (type == 'Q')
		exit(0);
	else
		mmProtocolError("expected a host call reply");
}

/* computrons(): what the current call has used so far, so that code in the ROM can charge work
 * to the phase of the device program that did it (the simulator's phase marks). */
static void mm_computrons(txMachine* the)
{
	fxNumber(the, mxResult, (txNumber)the->meterIndex);
}

static void mmDefineGlobal(txMachine* the, const char* name, txCallback callback, txInteger length)
{
	txID id = fxID(the, (txString)name);
	fxNewHostFunction(the, callback, length, id, XS_NO_ID);
	mxPush(mxGlobal);
	fxDefineID(the, id, XS_DONT_ENUM_FLAG, XS_DONT_ENUM_FLAG | XS_DONT_DELETE_FLAG | XS_DONT_SET_FLAG);
	mxPop();
}

void mmDefineGlobals(txMachine* the)
{
	mmDefineGlobal(the, "print", mm_print, 0);
	mmDefineGlobal(the, "trace", mm_trace, 0);
	mmDefineGlobal(the, "hostCall", mm_hostCall, 1);
	mmDefineGlobal(the, "computrons", mm_computrons, 0);
}
