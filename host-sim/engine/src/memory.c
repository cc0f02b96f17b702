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

static txChunk* mmChunkOf(void* data)
{
	return (txChunk*)((txByte*)data - sizeof(txChunk));
}

static txSize mmChunkHostSize(void* data)
{
	return mmChunkOf(data)->size & ~mmChunkMark;
}

/* The chunks a slot owns and their device payloads (bytes after the device's header). */
typedef struct {
	void* data[2];      /* a regexp owns two chunks, other kinds one at most */
	txSize payload[2];
	txSlot* items;      /* slots inside data[0], which may own chunks themselves */
	txSize itemCount;
} mmOwned;

static void mmOwnedBy(txSlot* slot, mmOwned* owned)
{
	c_memset(owned, 0, sizeof(*owned));
	void* data = C_NULL;
	switch (slot->kind) {
	case XS_STRING_KIND:
		if ((data = slot->value.string))
			owned->payload[0] = mmDeviceAlign(mxStringLength(slot->value.string) + 1);
		break;
	case XS_KEY_KIND:
		if ((data = slot->value.key.string))
			owned->payload[0] = mmDeviceAlign(mxStringLength(slot->value.key.string) + 1);
		break;
	case XS_BIGINT_KIND:
		if ((data = slot->value.bigint.data))
			owned->payload[0] = slot->value.bigint.size * sizeof(txU4);
		break;
	case XS_ARGUMENTS_SLOPPY_KIND:
	case XS_ARGUMENTS_STRICT_KIND:
	case XS_ARRAY_KIND:
	case XS_STACK_KIND:
		if ((data = slot->value.array.address)) {
			/* Host: 16-byte header and 32 bytes per item; device: 8 and 16. Items past the
			 * length are stale and must not be read, as in XS's own sweep. */
			txSize capacity = (mmChunkHostSize(data) - sizeof(txChunk)) / sizeof(txSlot);
			owned->payload[0] = capacity * mmDeviceSlotSize;
			owned->items = slot->value.array.address;
			owned->itemCount = (capacity < (txSize)slot->value.array.length) ? capacity : (txSize)slot->value.array.length;
		}
		break;
	case XS_ARRAY_BUFFER_KIND:
		data = slot->value.arrayBuffer.address;
		break;
	case XS_CODE_KIND:
		data = slot->value.code.address;
		break;
	case XS_HOST_KIND:
		if (slot->flag & XS_HOST_CHUNK_FLAG)
			data = slot->value.host.data;
		break;
	case XS_GLOBAL_KIND:
	case XS_MAP_KIND:
	case XS_SET_KIND:
		/* Pointer tables: 8 bytes per entry here, 4 on the device. */
		if ((data = slot->value.table.address))
			owned->payload[0] = (mmChunkHostSize(data) - sizeof(txChunk)) / sizeof(txSlot*) * 4;
		break;
	case XS_IDS_KIND:
		/* Key ids: 4 bytes here, 2 on the device. */
		if ((data = slot->value.IDs))
			owned->payload[0] = mmDeviceAlign((mmChunkHostSize(data) - sizeof(txChunk)) / sizeof(txID) * 2);
		break;
	case XS_REGEXP_KIND:
		if ((data = slot->value.regexp.code))
			owned->payload[0] = mmChunkHostSize(data) - sizeof(txChunk);
		if ((owned->data[1] = slot->value.regexp.data))
			owned->payload[1] = mmChunkHostSize(owned->data[1]) - sizeof(txChunk);
		break;
	default:
		break;
	}
	/* Bytes (buffers, byte code, host data): the same payload on both sides. */
	if (data && !owned->payload[0] && (slot->kind != XS_STRING_KIND) && (slot->kind != XS_KEY_KIND))
		owned->payload[0] = mmChunkHostSize(data) - sizeof(txChunk);
	owned->data[0] = data;
}

/* Chunk bytes on both sides. */
typedef struct {
	txSize device;
	txSize host;
} mmTally;

/* Counts each chunk once however many slots share it (copies share strings), using the mark
 * bit XS itself uses during a collection, which is always clear outside one. */
static void mmTallySlot(txSlot* slot, mmTally* tally)
{
	mmOwned owned;
	mmOwnedBy(slot, &owned);
	for (int index = 0; index < 2; index++) {
		if (!owned.data[index])
			continue;
		txChunk* chunk = mmChunkOf(owned.data[index]);
		if (chunk->size & mmChunkMark)
			continue;
		tally->host += chunk->size;
		chunk->size |= mmChunkMark;
		tally->device += mmDeviceChunkHeader + owned.payload[index];
		if (index == 0)
			for (txSize item = 0; item < owned.itemCount; item++)
				mmTallySlot(owned.items + item, tally);
	}
}

static void mmClearSlot(txSlot* slot)
{
	mmOwned owned;
	mmOwnedBy(slot, &owned);
	for (int index = 0; index < 2; index++) {
		if (!owned.data[index])
			continue;
		txChunk* chunk = mmChunkOf(owned.data[index]);
		if (!(chunk->size & mmChunkMark))
			continue;
		chunk->size &= ~mmChunkMark;
		if (index == 0)
			for (txSize item = 0; item < owned.itemCount; item++)
				mmClearSlot(owned.items + item);
	}
}

/* Every chunk owned by a heap or stack slot, sized on both sides. */
static mmTally mmTallyChunks(txMachine* the)
{
	mmTally tally = { 0, 0 };
	txSlot* heap;
	txSlot* slot;
	for (heap = the->firstHeap; heap; heap = heap->next)
		for (slot = heap + 1; slot < heap->value.reference; slot++)
			mmTallySlot(slot, &tally);
	for (slot = the->stack; slot < the->stackTop; slot++)
		mmTallySlot(slot, &tally);
	for (heap = the->firstHeap; heap; heap = heap->next)
		for (slot = heap + 1; slot < heap->value.reference; slot++)
			mmClearSlot(slot);
	for (slot = the->stack; slot < the->stackTop; slot++)
		mmClearSlot(slot);
	return tally;
}

txSize mmDeviceChunkBytes(txMachine* the)
{
	return mmTallyChunks(the).device;
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
	mmTally tally = mmTallyChunks(the);
	txSize live = tally.device - gMemory.base.deviceChunkBytes;
	if (live < 0)
		live = 0;
	/* A collection of slots alone leaves dead chunks in place: counting from the host bytes
	 * the live chunks take (not from what the heap holds) keeps them in the fill level. */
	gMemory.chunkLiveAtCollect = live;
	gMemory.hostChunksAtCollect = tally.host;
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
