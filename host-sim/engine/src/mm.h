/*
 * The micromine device host: one XS machine that stands for one 32-bit device.
 *
 * The machine is created in two steps. A probe machine boots the engine's built-ins and the
 * simulator's ROM modules, then a full collection measures what they leave behind (the
 * "base"). On a device those live preloaded in flash; here they live in the same heap as
 * everything else, so the real machine is created with the device's creation plus the base,
 * and every figure the host reports is the machine's usage minus the base. A device limit
 * therefore means device RAM, counted in device units (see memory.c for chunks).
 */
#ifndef __MM__
#define __MM__

#include "xsAll.h"
#include "wire.h"

/* The creation of the emulated device, in device units (slots, bytes on a 32-bit MCU). */
typedef struct {
	txSize chunkInitial, chunkIncremental;  /* chunk heap bytes */
	txSize heapInitial, heapIncremental;    /* slots */
	txSize stack;                           /* slots */
	txSize keysInitial, keysIncremental;
	txSize nameModulo, symbolModulo;
	txSize parserBuffer, parserTable;
	txSize staticSize;                      /* 0, or one block for stack, slots and chunks */
	size_t allocationLimit;                 /* device bytes for stack + slots + chunks */
} mmCreation;

/* What the built-ins and ROM modules occupy after boot and a full collection. */
typedef struct {
	txSize slots;
	txSize hostChunkBytes;
	txSize deviceChunkBytes;
	txSize keys;
	txSize stack;
} mmBase;

/* Usage of one call, in device units, relative to the base. */
typedef struct {
	uint32_t computrons;
	uint32_t slotsCurrent, slotsPeak, slotsLimit;
	uint32_t chunkCurrent, chunkPeak, chunkLimit;
	uint32_t stackPeak, stackLimit;
	uint32_t keysUsed;
	uint32_t gcCount;
	uint32_t allocated; /* device bytes held by stack, slot heaps and chunk heap */
} mmUsage;

/* A value leaving the VM, copied out before any frame is written. */
typedef struct {
	uint8_t tag;        /* a wire value tag (wire.h) */
	double number;
	char* bytes;
	uint32_t length;
} mmValue;

/* args.c */
extern void mmParseArguments(int argc, char* argv[], mmCreation* creation, uint64_t* seed);

/* bridge.c */
extern txBoolean gmmBooting;
extern void mmDefineGlobals(txMachine* the);
extern txBoolean mmViewBytes(txMachine* the, txSlot* slot, txByte** data, txInteger* length);
extern char* mmCopy(const void* data, size_t length);
extern void mmCapture(txMachine* the, txSlot* slot, mmValue* value);
extern void mmWriteValue(mmValue* value);
extern void mmReadValue(txMachine* the, mmReader* reader, txSlot* target);
extern char* mmReadString(mmReader* reader, uint32_t* length);

/* platform.c */
extern double gmmVirtualTime;
extern void mmSeedRandom(uint64_t seed);
extern void mmLog(uint8_t channel, const char* text, size_t length);
enum { mmLogPrint = 'p', mmLogTrace = 't', mmLogSystem = 's' };
/* Throws `new constructor(text)`, with no length limit or prefix (unlike mxTypeError and kin). */
extern void mmThrowError(txMachine* the, txSlot* constructor, const char* text) XS_FUNCTION_NORETURN;

/* memory.c: the device memory model */
extern void mmMemoryAttach(txMachine* the, const mmCreation* creation, const mmBase* base);
extern void mmMemoryBeginCall(txMachine* the, uint32_t computronLimit);
extern void mmMemoryEndCall(txMachine* the, mmUsage* usage);
extern void mmMemoryCheckpoint(txMachine* the);
extern txSize mmDeviceChunkBytes(txMachine* the);
extern txBoolean mmMeterCallback(txMachine* the, txU4 index);
enum { mmMeterInterval = 1024 };

/* image.c: code that the device keeps in flash */
extern txScript* mmParseImage(txMachine* the, const char* path, const char* source, size_t length, txBoolean module);
extern void mmInstallImage(const char* name, size_t nameLength, const char* source, size_t sourceLength, txBoolean isModule);
extern void mmLinkImage(txMachine* the);
extern txScript* mmImageScript(txMachine* the, const char* name);
extern void mmEraseFlash(void);
extern size_t mmFlashBytes(void);

#endif /* __MM__ */
