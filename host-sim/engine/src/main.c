/*
 * mm-device-host: runs one emulated device for the Node driver (host-sim/engine/device.ts).
 *
 * Usage: mm-device-host --chunk I/N --heap I/N --stack N --keys I/N --names N --symbols N
 *        --parser B/T --allocation-limit N [--seed N]
 * Counts are device units: bytes and slots of the 32-bit device; the allocation limit is the
 * device bytes that stack, slot heaps and chunk heap may take together.
 *
 * Sequence: read the boot frame (ROM scripts and modules, image modules and scripts), size and boot the
 * machine (see mm.h), answer 'b', then serve calls until 'Q' or the end of input. A call runs
 * under a computron limit and answers 'D' (done), 'X' (exception) or 'A' (abort: the machine
 * is dead, the process exits). During a call the VM may call the host ('H'), which blocks
 * until Node replies. Frame layouts are in wire.h and device.ts.
 */
#include "mm.h"
#include "wire.h"
#include <errno.h>
#include <signal.h>

enum { mmExitUsage = 64 };
/* ROM code runs once at boot; this only stops a ROM that never finishes. */
#define mmBootComputronLimit 0x7FFFFFFF

typedef struct sxBootScript {
	struct sxBootScript* next;
	char* name;
	char* source;
	size_t length;
} txBootScript;

static txBootScript* gRomScripts = C_NULL;   /* evaluated at boot, in order */
static txBootScript* gRomModules = C_NULL;   /* imported at boot, in order (names only) */
static txBoolean gBooting = 0;

/* A value leaving the VM, copied out before any frame is written. */
typedef struct {
	uint8_t tag;
	double number;
	char* bytes;
	uint32_t length;
} mmValue;

/* ---------------------------------------------------------------- arguments */

static void mmUsageError(const char* message, const char* argument)
{
	fprintf(stderr, "mm-device-host: %s%s%s\n", message, argument ? ": " : "", argument ? argument : "");
	exit(mmExitUsage);
}

static txSize mmParseCount(const char* name, const char* text, const char** end)
{
	char* stop;
	errno = 0;
	long long value = strtoll(text, &stop, 10);
	if ((stop == text) || errno || (value < 0) || (value > 0x7FFFFFFF))
		mmUsageError("expected a count from 0 to 2147483647 for", name);
	*end = stop;
	return (txSize)value;
}

static txSize mmParseSingle(const char* name, const char* text)
{
	const char* end;
	txSize value = mmParseCount(name, text, &end);
	if (*end)
		mmUsageError("expected one count for", name);
	return value;
}

static void mmParsePair(const char* name, const char* text, txSize* first, txSize* second)
{
	const char* end;
	*first = mmParseCount(name, text, &end);
	if (*end != '/')
		mmUsageError("expected two counts as A/B for", name);
	*second = mmParseCount(name, end + 1, &end);
	if (*end)
		mmUsageError("expected two counts as A/B for", name);
}

static void mmParseArguments(int argc, char* argv[], mmCreation* creation, uint64_t* seed)
{
	int seen = 0;
	c_memset(creation, 0, sizeof(*creation));
	for (int index = 1; index < argc; index += 2) {
		const char* name = argv[index];
		const char* value = (index + 1 < argc) ? argv[index + 1] : C_NULL;
		if (!value)
			mmUsageError("missing value for", name);
		if (!strcmp(name, "--chunk")) { mmParsePair(name, value, &creation->chunkInitial, &creation->chunkIncremental); seen |= 1; }
		else if (!strcmp(name, "--heap")) { mmParsePair(name, value, &creation->heapInitial, &creation->heapIncremental); seen |= 2; }
		else if (!strcmp(name, "--stack")) { creation->stack = mmParseSingle(name, value); seen |= 4; }
		else if (!strcmp(name, "--keys")) { mmParsePair(name, value, &creation->keysInitial, &creation->keysIncremental); seen |= 8; }
		else if (!strcmp(name, "--names")) { creation->nameModulo = mmParseSingle(name, value); seen |= 16; }
		else if (!strcmp(name, "--symbols")) { creation->symbolModulo = mmParseSingle(name, value); seen |= 32; }
		else if (!strcmp(name, "--parser")) { mmParsePair(name, value, &creation->parserBuffer, &creation->parserTable); seen |= 64; }
		else if (!strcmp(name, "--allocation-limit")) { creation->allocationLimit = (size_t)mmParseSingle(name, value); seen |= 128; }
		else if (!strcmp(name, "--seed")) {
			char* stop;
			errno = 0;
			unsigned long long parsed = strtoull(value, &stop, 10);
			if ((stop == value) || *stop || errno)
				mmUsageError("expected an unsigned 64-bit integer for", name);
			*seed = parsed;
		}
		else
			mmUsageError("unknown option", name);
	}
	if (seen != 255)
		mmUsageError("every creation option is required (--chunk --heap --stack --keys --names --symbols --parser --allocation-limit)", C_NULL);
	if ((creation->heapInitial < 2) || (creation->stack < 1) || (creation->nameModulo < 1) || (creation->symbolModulo < 1) || (creation->parserBuffer < 1) || (creation->parserTable < 1))
		mmUsageError("heap needs 2 slots or more; stack, names, symbols and parser must be positive", C_NULL);
}

/* ---------------------------------------------------------------- values */

/* The bytes of an ArrayBuffer, typed array or DataView, or 0 if the slot is none of them. */
static txBoolean mmViewBytes(txMachine* the, txSlot* slot, txByte** data, txInteger* length)
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

static char* mmCopy(const void* data, size_t length)
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
static void mmCapture(txMachine* the, txSlot* slot, mmValue* value)
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

static void mmWriteValue(mmValue* value)
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
static void mmReadValue(txMachine* the, mmReader* reader, txSlot* target)
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

static char* mmReadString(mmReader* reader, uint32_t* length)
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
	if (gBooting)
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

static void mmDefineGlobal(txMachine* the, const char* name, txCallback callback, txInteger length)
{
	txID id = fxID(the, (txString)name);
	fxNewHostFunction(the, callback, length, id, XS_NO_ID);
	mxPush(mxGlobal);
	fxDefineID(the, id, XS_DONT_ENUM_FLAG, XS_DONT_ENUM_FLAG | XS_DONT_DELETE_FLAG | XS_DONT_SET_FLAG);
	mxPop();
}

/* ---------------------------------------------------------------- running */

/* The outermost jump of every entry into the machine: an abort (fxAbort -> fxExitToHost)
 * lands here whatever JS was doing, as a reset does on the board. */
typedef void (*mmBody)(txMachine* the, void* context);

static int mmGuard(txMachine* the, mmBody body, void* context)
{
	txJump jump;
	jump.nextJump = the->firstJump;
	jump.stack = the->stack;
	jump.scope = the->scope;
	jump.frame = the->frame;
	jump.environment = C_NULL;
	jump.code = the->code;
	jump.flag = 0;
	the->firstJump = &jump;
	if (c_setjmp(jump.buffer) == 0)
		body(the, context);
	the->stack = jump.stack;
	the->scope = jump.scope;
	the->frame = jump.frame;
	the->code = jump.code;
	the->firstJump = jump.nextJump;
	return the->abortStatus;
}

static void mmRunJobs(txMachine* the)
{
	do {
		while (the->promiseJobs) {
			the->promiseJobs = 0;
			fxRunPromiseJobs(the);
		}
		fxEndJob(the);
	} while (the->promiseJobs);
}

static txSlot* mmRealm(txMachine* the)
{
	return mxModuleInstanceInternal(mxProgram.value.reference)->value.module.realm;
}

static void mmRunScript(txMachine* the, const char* path, const char* source, size_t length, txSlot* result)
{
	txSlot* realm = mmRealm(the);
	txScript* script = mmParseImage(the, path, source, length, 0);
	fxRunScript(the, script, mxRealmGlobal(realm), C_NULL, mxRealmClosures(realm)->value.reference, C_NULL, mxProgram.value.reference);
	mxPullSlot(result);
}

/* Starts an import; leaves its promise in `promise`. */
static void mmImport(txMachine* the, const char* specifier, txSlot* promise)
{
	fxStringBuffer(the, promise, (txString)specifier, (txSize)c_strlen(specifier));
	mxPushSlot(promise);
	fxRunImport(the, mmRealm(the), XS_NO_ID);
	mxPullSlot(promise);
}

/* After the jobs ran: 1 if the import promise was rejected (reason in `reason`). */
static txBoolean mmImportFailed(txMachine* the, txSlot* promise, txSlot* reason)
{
	if ((promise->kind != XS_REFERENCE_KIND) || !mxIsPromise(promise->value.reference))
		return 0;
	txSlot* instance = promise->value.reference;
	if (mxPromiseStatus(instance)->value.integer != mxRejectedStatus)
		return 0;
	*reason = *mxPromiseResult(instance);
	return 1;
}

/* ---------------------------------------------------------------- boot */

typedef struct {
	char error[1024];
} mmBootContext;

static void mmExceptionText(txMachine* the, txSlot* exception, const char* prefix, char* buffer, size_t size)
{
	mxTry(the) {
		mxPushSlot(exception);
		c_snprintf(buffer, size, "%s%s", prefix, fxToString(the, the->stack));
		mxPop();
	}
	mxCatch(the) {
		c_snprintf(buffer, size, "%s(an exception that cannot be converted to a string)", prefix);
	}
}

static void mmBootBody(txMachine* the, void* data)
{
	mmBootContext* context = data;
	mmMemoryBeginCall(the, mmBootComputronLimit);
	fxBeginHost(the);
	mxPushUndefined();
	mxPushUndefined();
	txSlot* promise = the->stack + 1;
	txSlot* reason = the->stack;
	mxTry(the) {
		mmDefineGlobal(the, "print", mm_print, 0);
		mmDefineGlobal(the, "trace", mm_trace, 0);
		mmDefineGlobal(the, "hostCall", mm_hostCall, 1);
		for (txBootScript* script = gRomScripts; script; script = script->next)
			mmRunScript(the, script->name, script->source, script->length, promise);
		for (txBootScript* module = gRomModules; module && !context->error[0]; module = module->next) {
			mmImport(the, module->name, promise);
			mmRunJobs(the);
			if (mmImportFailed(the, promise, reason))
				mmExceptionText(the, reason, "ROM module: ", context->error, sizeof(context->error));
		}
		mmLinkImage(the);
	}
	mxCatch(the) {
		mmExceptionText(the, &mxException, "ROM: ", context->error, sizeof(context->error));
		mxException = mxUndefined;
	}
	fxEndHost(the);
	mmRunJobs(the);
	fxCollectGarbage(the);
}

static void mmMeasureBase(txMachine* the, mmBase* base)
{
	base->slots = the->currentHeapCount;
	base->hostChunkBytes = the->currentChunksSize;
	base->deviceChunkBytes = mmDeviceChunkBytes(the);
	base->keys = the->keyIndex;
	base->stack = (txSize)(the->stackTop - the->stack);
}

static void mmFail(uint8_t status, const char* message, const mmUsage* usage);

static void mmBoot(txMachine* the, const char* phase)
{
	mmBootContext context;
	context.error[0] = 0;
	gBooting = 1;
	int status = mmGuard(the, mmBootBody, &context);
	gBooting = 0;
	if (status) {
		char message[256];
		c_snprintf(message, sizeof(message), "%s: the machine aborted while booting", phase);
		mmFail((uint8_t)status, message, C_NULL);
	}
	if (context.error[0])
		mmFail(0, context.error, C_NULL);
}

static txMachine* mmCreateDevice(const mmCreation* creation, mmBase* base)
{
	txCreation probe = {
		4 * 1024 * 1024, 1024 * 1024,  /* chunk */
		64 * 1024, 16 * 1024,           /* heap */
		4096,                           /* stack */
		8192, 1024,                     /* keys */
		1993, 127,                      /* name and symbol tables */
		1024 * 1024, 1993,              /* parser */
		0
	};
	txMachine* the = fxCreateMachine(&probe, "probe", C_NULL, XS_NO_ID);
	if (!the)
		mmFail(XS_NOT_ENOUGH_MEMORY_EXIT, "cannot create the probe machine", C_NULL);
	mmBoot(the, "probe");
	mmMeasureBase(the, base);
	fxDeleteMachine(the);
	mmEraseFlash();

	/* The device's creation plus the base. Name and symbol tables keep desktop sizes: they
	 * hold the base's names too and cost no heap. The chunk heap gets twice the device's
	 * bytes (see memory.c). */
	txCreation host = {
		base->hostChunkBytes + 2 * creation->chunkInitial, 2 * creation->chunkIncremental,
		base->slots + creation->heapInitial, creation->heapIncremental,
		base->stack + creation->stack,
		base->keys + creation->keysInitial, creation->keysIncremental,
		1993, 127,
		creation->parserBuffer, creation->parserTable,
		0
	};
	the = fxCreateMachine(&host, "device", C_NULL, XS_NO_ID);
	if (!the)
		mmFail(XS_NOT_ENOUGH_MEMORY_EXIT, "cannot create the device machine", C_NULL);
	mmBoot(the, "device");
	/* Measured again on the machine itself, which booted the same way. */
	mmMeasureBase(the, base);
	return the;
}

/* ---------------------------------------------------------------- calls */

typedef struct {
	uint8_t command;
	mmReader* reader;
	uint32_t computronLimit;
	txBoolean failed;
	mmValue value;     /* the result, or the exception's text */
} mmCall;

static void mmCallBody(txMachine* the, void* data)
{
	mmCall* call = data;
	mmReader* reader = call->reader;
	uint32_t length;
	mmMemoryBeginCall(the, call->computronLimit);
	fxBeginHost(the);
	mxPushUndefined();
	mxPushUndefined();
	mxPushUndefined();
	txSlot* result = the->stack + 2;
	txSlot* promise = the->stack + 1;
	txSlot* reason = the->stack;
	mxTry(the) {
		if (call->command == 'E') {
			char* name = mmReadString(reader, &length);
			const uint8_t* source = mmReadBytes(reader, &length);
			mmRunScript(the, name, (const char*)source, length, result);
			c_free(name);
		}
		else if (call->command == 'S') {
			char* name = mmReadString(reader, &length);
			txScript* script = mmImageScript(the, name);
			if (!script) {
				char message[256];
				c_snprintf(message, sizeof(message), "no image script named %.200s", name);
				c_free(name);
				mmThrowError(the, &mxReferenceErrorConstructor, message);
			}
			c_free(name);
			txSlot* realm = mmRealm(the);
			fxRunScript(the, script, mxRealmGlobal(realm), C_NULL, mxRealmClosures(realm)->value.reference, C_NULL, mxProgram.value.reference);
			mxPullSlot(result);
		}
		else if (call->command == 'M') {
			char* specifier = mmReadString(reader, &length);
			mmImport(the, specifier, promise);
			c_free(specifier);
		}
		else if (call->command == 'C') {
			char* name = mmReadString(reader, &length);
			txID id = fxFindName(the, name);
			if (id == XS_NO_ID) {
				char message[256];
				c_snprintf(message, sizeof(message), "call: no global named %.200s", name);
				c_free(name);
				mmThrowError(the, &mxReferenceErrorConstructor, message);
			}
			c_free(name);
			uint32_t count = mmReadU32(reader);
			mxPush(mxGlobal);
			fxCallID(the, id);
			for (uint32_t index = 0; index < count; index++) {
				mxPushUndefined();
				mmReadValue(the, reader, the->stack);
			}
			fxRunCount(the, (txInteger)count);
			mxPullSlot(result);
		}
		else if (call->command == 'G')
			fxCollectGarbage(the);
		mmRunJobs(the);
		mmMemoryCheckpoint(the);
		if ((call->command == 'M') && mmImportFailed(the, promise, reason)) {
			call->failed = 1;
			mmCapture(the, reason, &call->value);
		}
		else
			mmCapture(the, result, &call->value);
	}
	mxCatch(the) {
		call->failed = 1;
		*reason = mxException;
		mxException = mxUndefined;
		mmRunJobs(the);
		char text[1024];
		mmExceptionText(the, reason, "", text, sizeof(text));
		call->value.tag = 's';
		call->value.length = (uint32_t)c_strlen(text);
		call->value.bytes = mmCopy(text, call->value.length);
	}
	fxEndHost(the);
}

/* ---------------------------------------------------------------- frames */

static void mmWriteUsage(const mmUsage* usage)
{
	mmWriteU32(usage->computrons);
	mmWriteU32(usage->slotsCurrent);
	mmWriteU32(usage->slotsPeak);
	mmWriteU32(usage->slotsLimit);
	mmWriteU32(usage->chunkCurrent);
	mmWriteU32(usage->chunkPeak);
	mmWriteU32(usage->chunkLimit);
	mmWriteU32(usage->stackPeak);
	mmWriteU32(usage->stackLimit);
	mmWriteU32(usage->keysUsed);
	mmWriteU32(usage->gcCount);
	mmWriteU32(usage->allocated);
}

/* 'A': the machine is gone. Logs already buffered go out first, in the same write. */
static void mmFail(uint8_t status, const char* message, const mmUsage* usage)
{
	mmUsage none;
	c_memset(&none, 0, sizeof(none));
	mmBeginFrame('A');
	mmWriteU8(status);
	mmWriteBytes(message, (uint32_t)c_strlen(message));
	mmWriteUsage(usage ? usage : &none);
	mmEndFrame();
	mmFlush();
	exit(10 + status);
}

static void mmReadBoot(void)
{
	mmReader reader;
	if (!mmReadFrame(&reader))
		exit(0);
	if (mmReadU8(&reader) != 'B')
		mmProtocolError("expected the boot frame");
	uint32_t count = mmReadU32(&reader);
	txBootScript** lastScript = &gRomScripts;
	txBootScript** lastModule = &gRomModules;
	for (uint32_t index = 0; index < count; index++) {
		uint8_t kind = mmReadU8(&reader);
		uint32_t nameLength, sourceLength;
		const uint8_t* name = mmReadBytes(&reader, &nameLength);
		const uint8_t* source = mmReadBytes(&reader, &sourceLength);
		if ((kind == 'r') || (kind == 'm') || (kind == 'i'))
			mmInstallImage((const char*)name, nameLength, (const char*)source, sourceLength, kind != 'i');
		if ((kind == 's') || (kind == 'r')) {
			txBootScript* entry = c_calloc(1, sizeof(txBootScript));
			if (!entry)
				mmProtocolError("out of host memory");
			entry->name = mmCopy(name, nameLength);
			if (kind == 's') {
				entry->source = mmCopy(source, sourceLength);
				entry->length = sourceLength;
				*lastScript = entry;
				lastScript = &entry->next;
			}
			else {
				*lastModule = entry;
				lastModule = &entry->next;
			}
		}
		else if ((kind != 'm') && (kind != 'i'))
			mmProtocolError("unknown boot entry kind");
	}
}

typedef struct {
	const mmCreation* creation;
	const mmBase* base;
} mmAttachContext;

static void mmAttachBody(txMachine* the, void* data)
{
	mmAttachContext* context = data;
	mmMemoryAttach(the, context->creation, context->base);
}

int main(int argc, char* argv[])
{
	mmCreation creation;
	uint64_t seed = 0;
	mmBase base;
	mmUsage usage;
	mmParseArguments(argc, argv, &creation, &seed);
	signal(SIGPIPE, SIG_IGN);
	mmSeedRandom(seed);
	mmReadBoot();
	fxInitializeSharedCluster();
	txMachine* the = mmCreateDevice(&creation, &base);

	mmAttachContext attach = { &creation, &base };
	if (mmGuard(the, mmAttachBody, &attach))
		mmFail((uint8_t)the->abortStatus, "the device's initial heaps exceed its allocation limit", C_NULL);
	mmMemoryBeginCall(the, 0);
	mmMemoryEndCall(the, &usage);
	mmBeginFrame('b');
	mmWriteU32((uint32_t)base.slots);
	mmWriteU32((uint32_t)base.hostChunkBytes);
	mmWriteU32((uint32_t)base.deviceChunkBytes);
	mmWriteU32((uint32_t)base.keys);
	mmWriteU32((uint32_t)base.stack);
	mmWriteU32((uint32_t)mmFlashBytes());
	mmWriteUsage(&usage);
	mmEndFrame();
	mmFlush();

	mmReader reader;
	while (mmReadFrame(&reader)) {
		mmCall call;
		c_memset(&call, 0, sizeof(call));
		call.command = mmReadU8(&reader);
		if (call.command == 'Q')
			break;
		if (!c_strchr("ESMCG", call.command))
			mmProtocolError("unknown command");
		call.reader = &reader;
		gmmVirtualTime = mmReadF64(&reader);
		call.computronLimit = mmReadU32(&reader);
		int status = mmGuard(the, mmCallBody, &call);
		mmMemoryEndCall(the, &usage);
		if (status == XS_STACK_OVERFLOW_EXIT)
			usage.stackPeak = usage.stackLimit; /* XS samples the peak when functions return */
		if (status)
			mmFail((uint8_t)status, "", &usage);
		mmBeginFrame(call.failed ? 'X' : 'D');
		mmWriteUsage(&usage);
		mmWriteValue(&call.value);
		mmEndFrame();
		mmFlush();
	}
	mmFlush();
	return 0;
}
