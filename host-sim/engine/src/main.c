/*
 * mm-device-host: runs one emulated device for the Node driver (host-sim/engine/device.ts).
 *
 * Usage: mm-device-host --chunk I/N --heap I/N --stack N --keys I/N --names N --symbols N
 *        --parser B/T --allocation-limit N [--seed N]
 * Counts are device units: bytes and slots of the 32-bit device; the allocation limit is the
 * device bytes that stack, slot heaps and chunk heap may take together.
 *
 * Sequence: read the boot frame (ROM scripts and modules, image modules and scripts), size and
 * boot the machine (see mm.h), answer 'b', then serve calls until 'Q' or the end of input. A
 * call runs under a computron limit and answers 'D' (done), 'X' (exception) or 'A' (abort: the
 * machine is dead, the process exits). During a call the VM may call the host ('H'), which blocks
 * until Node replies. Frame layouts are in wire.h and device.ts.
 */
#include "mm.h"
#include <signal.h>

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
		mmDefineGlobals(the);
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
	gmmBooting = 1;
	int status = mmGuard(the, mmBootBody, &context);
	gmmBooting = 0;
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
