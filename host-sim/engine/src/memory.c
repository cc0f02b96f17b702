/*
 * The device memory model: what the emulated 32-bit device would hold, in its own units.
 *
 * Slots and the stack need no conversion: a slot is one slot on both sides (32 bytes here,
 * 16 on the device) and XS makes the same decisions on counts, so the fixed slot heap fails
 * exactly where the device's does.
 *
 * Chunks do need one. A chunk here has a 16-byte header and 8-byte alignment where the device
 * has 8 and 4, and chunks that hold slots (array items) or pointers (tables) are twice as big.
 * So the host chunk heap is given twice the device's bytes (no chunk is more than twice its
 * device size), which XS never exhausts first, and this file keeps the device's account:
 *
 * - after every collection it sizes every live chunk as the device would (mmDeviceChunkBytes)
 *   and aborts with "not enough memory" when the live chunks exceed the device's chunk heap
 *   (or grows that heap by its increment when the device may grow);
 * - before each chunk allocation it bounds the device's fill level from above (live after the
 *   last collection plus host bytes allocated since), and when the device's heap could be full
 *   it makes that allocation collect, as the device's would. Collections therefore come no
 *   later than the device's, and the verdict is taken on exact device sizes, without the
 *   pending request: a single allocation that overflows the heap is caught at the next
 *   collection, at the latest when the call ends (mmMemoryCheckpoint).
 *
 * The walk that sizes chunks runs at collections only, so between collections the reported
 * chunk usage is that upper bound; right after one (collectGarbage) it is exact.
 *
 * Figures are reported relative to the base (what the built-ins and ROM modules occupy).
 */
#include "mm.h"

#define mmDeviceSlotSize 16
#define mmDeviceChunkHeader 8
#define mmDeviceAlign(SIZE) (((SIZE) + 3) & ~3)
#define mmChunkMark 0x80000000

typedef struct {
	txMachine* machine;          /* the device's machine, or NULL while probing */
	mmCreation creation;
	mmBase base;
	size_t allocated;            /* device bytes: stack, slot heaps and chunk heap */
	txSize chunkCapacity;        /* device chunk heap bytes */
	txSize chunkLiveAtCollect;   /* device bytes live after the last collection */
	txSize hostChunksAtCollect;  /* host bytes in use after the last collection */
	txSize chunkPeak;            /* highest device chunk level seen in this call */
	txU2 seenCollections;        /* XS's own counter, to tell a collection from a profile tick */
	uint32_t collections;        /* collections in this call */
	uint32_t computronLimit;
	txBlock* loweredBlocks[16];  /* blocks whose limit was lowered to request a collection */
	txByte* savedLimits[16];
	int loweredCount;
} mmMemory;

static mmMemory gMemory;

static txSize mmChunkHostSize(void* data)
{
	return ((txChunk*)((txByte*)data - sizeof(txChunk)))->size & ~mmChunkMark;
}

/* Counts a chunk once however many slots share it (strings are shared by copies), using the
 * mark bit XS itself uses during a collection, which is always clear outside one. */
static txBoolean mmFirstVisit(void* data)
{
	txChunk* chunk = (txChunk*)((txByte*)data - sizeof(txChunk));
	if (chunk->size & mmChunkMark)
		return 0;
	chunk->size |= mmChunkMark;
	return 1;
}

static void mmClearVisit(void* data)
{
	((txChunk*)((txByte*)data - sizeof(txChunk)))->size &= ~mmChunkMark;
}

/* The device size of the chunks a slot owns, visiting (mark) or clearing marks (!mark). */
static txSize mmSlotChunks(txSlot* slot, txBoolean mark)
{
	void* data = C_NULL;
	txSize payload = 0; /* device bytes after the header */
	txSize items = 0;   /* slots inside the chunk that may own chunks themselves */
	switch (slot->kind) {
	case XS_STRING_KIND:
		data = slot->value.string;
		if (data) payload = mmDeviceAlign(mxStringLength(slot->value.string) + 1);
		break;
	case XS_KEY_KIND:
		data = slot->value.key.string;
		if (data) payload = mmDeviceAlign(mxStringLength(slot->value.key.string) + 1);
		break;
	case XS_BIGINT_KIND:
		data = slot->value.bigint.data;
		payload = slot->value.bigint.size * sizeof(txU4);
		break;
	case XS_ARGUMENTS_SLOPPY_KIND:
	case XS_ARGUMENTS_STRICT_KIND:
	case XS_ARRAY_KIND:
	case XS_STACK_KIND:
		data = slot->value.array.address;
		if (data) {
			/* A slot array: host header 16 + 32 per item, device header 8 + 16 per item.
			 * Items past the length are stale and must not be read, as in XS's sweep. */
			txSize capacity = (mmChunkHostSize(data) - sizeof(txChunk)) / sizeof(txSlot);
			payload = capacity * mmDeviceSlotSize;
			items = (capacity < (txSize)slot->value.array.length) ? capacity : (txSize)slot->value.array.length;
		}
		break;
	case XS_ARRAY_BUFFER_KIND:
		data = slot->value.arrayBuffer.address;
		if (data) payload = mmChunkHostSize(data) - sizeof(txChunk);
		break;
	case XS_CODE_KIND:
		data = slot->value.code.address;
		if (data) payload = mmChunkHostSize(data) - sizeof(txChunk);
		break;
	case XS_GLOBAL_KIND:
	case XS_MAP_KIND:
	case XS_SET_KIND:
		data = slot->value.table.address;
		if (data) payload = (mmChunkHostSize(data) - sizeof(txChunk)) / sizeof(txSlot*) * 4;
		break;
	case XS_HOST_KIND:
		if (slot->value.host.data && (slot->flag & XS_HOST_CHUNK_FLAG)) {
			data = slot->value.host.data;
			payload = mmChunkHostSize(data) - sizeof(txChunk);
		}
		break;
	case XS_IDS_KIND:
		data = slot->value.IDs;
		if (data) payload = mmDeviceAlign((mmChunkHostSize(data) - sizeof(txChunk)) / sizeof(txID) * 2);
		break;
	case XS_REGEXP_KIND: {
		txSize size = 0;
		if (slot->value.regexp.code) {
			if (mark ? mmFirstVisit(slot->value.regexp.code) : (mmClearVisit(slot->value.regexp.code), 0))
				size += mmDeviceChunkHeader + mmChunkHostSize(slot->value.regexp.code) - sizeof(txChunk);
		}
		if (slot->value.regexp.data) {
			if (mark ? mmFirstVisit(slot->value.regexp.data) : (mmClearVisit(slot->value.regexp.data), 0))
				size += mmDeviceChunkHeader + mmChunkHostSize(slot->value.regexp.data) - sizeof(txChunk);
		}
		return size;
	}
	default:
		return 0;
	}
	if (!data)
		return 0;
	if (!mark) {
		if (!(((txChunk*)((txByte*)data - sizeof(txChunk)))->size & mmChunkMark))
			return 0;
		mmClearVisit(data);
		for (txSize index = 0; index < items; index++)
			mmSlotChunks(((txSlot*)data) + index, 0);
		return 0;
	}
	if (!mmFirstVisit(data))
		return 0;
	txSize size = mmDeviceChunkHeader + payload;
	for (txSize index = 0; index < items; index++)
		size += mmSlotChunks(((txSlot*)data) + index, 1);
	return size;
}

static txSize mmWalk(txMachine* the, txBoolean mark)
{
	txSize total = 0;
	for (txSlot* heap = the->firstHeap; heap; heap = heap->next) {
		txSlot* limit = heap->value.reference;
		for (txSlot* slot = heap + 1; slot < limit; slot++)
			total += mmSlotChunks(slot, mark);
	}
	for (txSlot* slot = the->stack; slot < the->stackTop; slot++)
		total += mmSlotChunks(slot, mark);
	return total;
}

txSize mmDeviceChunkBytes(txMachine* the)
{
	txSize total = mmWalk(the, 1);
	mmWalk(the, 0);
	return total;
}

static txSize mmAppChunkBytes(txMachine* the)
{
	txSize total = mmDeviceChunkBytes(the) - gMemory.base.deviceChunkBytes;
	return total > 0 ? total : 0;
}

static void mmRestoreBlockLimits(void)
{
	while (gMemory.loweredCount > 0) {
		gMemory.loweredCount--;
		gMemory.loweredBlocks[gMemory.loweredCount]->limit = gMemory.savedLimits[gMemory.loweredCount];
	}
}

/* Makes the next chunk allocation find no room, so that XS collects at a safe point. */
static void mmRequestCollection(txMachine* the)
{
	if (gMemory.loweredCount || !(the->collectFlag & XS_COLLECTING_FLAG))
		return;
	for (txBlock* block = the->firstBlock; block && gMemory.loweredCount < 16; block = block->nextBlock) {
		gMemory.loweredBlocks[gMemory.loweredCount] = block;
		gMemory.savedLimits[gMemory.loweredCount] = block->limit;
		gMemory.loweredCount++;
		block->limit = block->current;
	}
}

static void mmCharge(txMachine* the, size_t bytes)
{
	if (gMemory.allocated + bytes > gMemory.creation.allocationLimit)
		fxAbort(the, XS_NOT_ENOUGH_MEMORY_EXIT);
	gMemory.allocated += bytes;
}

static void mmAfterCollect(txMachine* the)
{
	mmRestoreBlockLimits();
	gMemory.collections++;
	txSize live = mmAppChunkBytes(the);
	gMemory.chunkLiveAtCollect = live;
	gMemory.hostChunksAtCollect = the->currentChunksSize;
	if (gMemory.chunkPeak < live)
		gMemory.chunkPeak = live;
	if (live > gMemory.chunkCapacity) {
		txSize increment = gMemory.creation.chunkIncremental;
		if (increment == 0)
			fxAbort(the, XS_NOT_ENOUGH_MEMORY_EXIT);
		txSize missing = live - gMemory.chunkCapacity;
		txSize growth = ((missing + increment - 1) / increment) * increment;
		mmCharge(the, growth);
		gMemory.chunkCapacity += growth;
	}
}

/* XS reports the end of every collection to the profiler with no frame (see the Makefile). */
extern void __real_fxCheckProfiler(txMachine* the, txSlot* frame);
void __wrap_fxCheckProfiler(txMachine* the, txSlot* frame)
{
	if (!frame && (the == gMemory.machine) && (the->garbageCollectionCount != gMemory.seenCollections)) {
		gMemory.seenCollections = the->garbageCollectionCount;
		mmAfterCollect(the);
	}
	__real_fxCheckProfiler(the, frame);
}

txBoolean mmMeterCallback(txMachine* the, txU4 index)
{
	return index <= gMemory.computronLimit;
}

/* An upper bound of the device's chunk fill level: live after the last collection plus the
 * host bytes allocated since (a chunk is never smaller here than on the device). Collections
 * it triggers therefore come no later than the device's, sometimes earlier. */
static txSize mmChunkLevel(txMachine* the, txSize request)
{
	txSize since = the->currentChunksSize - gMemory.hostChunksAtCollect;
	return gMemory.chunkLiveAtCollect + (since > 0 ? since : 0) + request;
}

/* Every chunk allocation from the engine passes here first (see the Makefile's --wrap). When
 * the device's heap would be full, the allocation is made to collect, as the device's would;
 * the collection then takes the verdict on exact sizes. */
static void mmBeforeChunk(txMachine* the, txSize size)
{
	if (the != gMemory.machine)
		return;
	txSize level = mmChunkLevel(the, size);
	if (level > gMemory.chunkCapacity) {
		level = gMemory.chunkCapacity;
		mmRequestCollection(the);
	}
	if (gMemory.chunkPeak < level)
		gMemory.chunkPeak = level;
}

extern void* __real_fxNewChunk(txMachine* the, txSize size);
void* __wrap_fxNewChunk(txMachine* the, txSize size)
{
	mmBeforeChunk(the, size);
	return __real_fxNewChunk(the, size);
}

extern void* __real_fxNewGrowableChunk(txMachine* the, txSize size, txSize capacity);
void* __wrap_fxNewGrowableChunk(txMachine* the, txSize size, txSize capacity)
{
	mmBeforeChunk(the, size);
	return __real_fxNewGrowableChunk(the, size, capacity);
}

void mmMemoryCheckpoint(txMachine* the)
{
	if ((the == gMemory.machine) && (mmChunkLevel(the, 0) > gMemory.chunkCapacity))
		fxCollectGarbage(the);
}

void mmMemoryAttach(txMachine* the, const mmCreation* creation, const mmBase* base)
{
	gMemory.machine = the;
	gMemory.creation = *creation;
	gMemory.base = *base;
	gMemory.chunkCapacity = creation->chunkInitial;
	gMemory.allocated = 0;
	gMemory.seenCollections = the->garbageCollectionCount;
	gMemory.hostChunksAtCollect = the->currentChunksSize;
	gMemory.chunkLiveAtCollect = 0;
	mmCharge(the, (size_t)(creation->stack + creation->heapInitial) * mmDeviceSlotSize + creation->chunkInitial);
}

void mmMemoryBeginCall(txMachine* the, uint32_t computronLimit)
{
	gMemory.computronLimit = computronLimit;
	gMemory.collections = 0;
	gMemory.chunkPeak = 0;
	the->peakHeapCount = the->currentHeapCount;
	the->stackPeak = the->stack;
	fxBeginMetering(the, mmMeterCallback, mmMeterInterval);
}

static uint32_t mmAbove(txSize value, txSize base)
{
	return value > base ? (uint32_t)(value - base) : 0;
}

void mmMemoryEndCall(txMachine* the, mmUsage* usage)
{
	/* Exact right after a collection, an upper bound otherwise: a walk of the heap costs tens
	 * of microseconds, more than many calls. */
	txSize chunks = mmChunkLevel(the, 0);
	if (gMemory.chunkPeak < chunks)
		gMemory.chunkPeak = chunks;
	usage->computrons = the->meterIndex;
	usage->slotsCurrent = mmAbove(the->currentHeapCount, gMemory.base.slots);
	usage->slotsPeak = mmAbove(the->peakHeapCount, gMemory.base.slots);
	usage->slotsLimit = mmAbove(the->maximumHeapCount, gMemory.base.slots);
	usage->chunkCurrent = (uint32_t)chunks;
	usage->chunkPeak = (uint32_t)gMemory.chunkPeak;
	usage->chunkLimit = (uint32_t)gMemory.chunkCapacity;
	usage->stackPeak = mmAbove((txSize)(the->stackTop - the->stackPeak), gMemory.base.stack);
	usage->stackLimit = (uint32_t)gMemory.creation.stack;
	usage->keysUsed = mmAbove(the->keyIndex, gMemory.base.keys);
	usage->gcCount = gMemory.collections;
	usage->allocated = (uint32_t)gMemory.allocated;
}

/* Host memory. The chunk heap is plain host memory; the device's account is kept above. */
void* fxAllocateChunks(txMachine* the, txSize size)
{
	mmRestoreBlockLimits();
	return c_malloc(size);
}

void fxFreeChunks(txMachine* the, void* chunks)
{
	c_free(chunks);
}

/* Slot heaps grow only when the device's would (same counts, same increments), so a growth
 * is charged to the device as it is. */
txSlot* fxAllocateSlots(txMachine* the, txSize count)
{
	if (the == gMemory.machine) {
		if (gMemory.allocated + (size_t)count * mmDeviceSlotSize > gMemory.creation.allocationLimit)
			return C_NULL; /* XS aborts with "not enough memory" */
		gMemory.allocated += (size_t)count * mmDeviceSlotSize;
	}
	return (txSlot*)c_malloc(count * sizeof(txSlot));
}

void fxFreeSlots(txMachine* the, void* slots)
{
	c_free(slots);
}
