/*
 * The platform hooks XS expects from its host, apart from memory (memory.c) and modules
 * (image.c): machine fields, the promise queue, aborts, the clock and the random source.
 */
#include "mm.h"
#include "wire.h"

/* Milliseconds since the epoch on the simulator's virtual clock; each call sets it. */
double gmmVirtualTime = 0;

int mmGetTimeOfDay(c_timeval* tv, struct c_timezone* tz)
{
	double seconds = c_floor(gmmVirtualTime / 1000.0);
	tv->tv_sec = (time_t)seconds;
	tv->tv_usec = (suseconds_t)((gmmVirtualTime - seconds * 1000.0) * 1000.0);
	return 0;
}

/* Math.random: splitmix64 from the device's seed, so that one seed gives one run. */
static uint64_t gRandomState = 0x6d6d2d6465766963ULL;

void mmSeedRandom(uint64_t seed)
{
	gRandomState = seed;
}

int mmRandom(void)
{
	uint64_t z = (gRandomState += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return (int)(z >> 33); /* 31 bits: 0 .. C_RAND_MAX */
}

void mmLog(uint8_t channel, const char* text, size_t length)
{
	mmBeginFrame('L');
	mmWriteU8(channel);
	mmWriteBytes(text, (uint32_t)length);
	mmEndFrame();
}

void fxCreateMachinePlatform(txMachine* the)
{
	the->abortStatus = 0;
	the->promiseJobs = 0;
}

void fxDeleteMachinePlatform(txMachine* the)
{
}

void fxQueuePromiseJobs(txMachine* the)
{
	the->promiseJobs = 1;
}

void mmThrowError(txMachine* the, txSlot* constructor, const char* text)
{
	mxPushSlot(constructor);
	mxNew();
	mxPushStringC((txString)text);
	mxRunCount(1);
	mxPullSlot(&mxException);
	fxJump(the);
}

static void mmLogException(txMachine* the, const char* prefix)
{
	char text[512];
	txSlot exception = mxException;
	mxException = mxUndefined;
	mxTry(the) {
		mxPushSlot(&exception);
		c_snprintf(text, sizeof(text), "%s: %s", prefix, fxToString(the, the->stack));
		mxPop();
	}
	mxCatch(the) {
		c_snprintf(text, sizeof(text), "%s", prefix);
	}
	mmLog(mmLogSystem, text, c_strlen(text));
}

/* A rejection nobody handles and an exception escaping a promise job are reported and the
 * device goes on, as Moddable's runtime does. Every other abort stops the machine for good:
 * on a board it resets the device. The command loop reports the status. */
void fxAbort(txMachine* the, int status)
{
	switch (status) {
	case XS_UNHANDLED_REJECTION_EXIT:
		mmLogException(the, "unhandled rejection");
		return;
	case XS_UNHANDLED_EXCEPTION_EXIT:
		mmLogException(the, "unhandled exception");
		return;
	default:
		the->abortStatus = status;
		fxExitToHost(the);
	}
}
