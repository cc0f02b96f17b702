/*
 * The XS platform header of the micromine device host (selected with -DXSPLATFORM).
 *
 * XS leaves a few decisions to each platform: which C library calls it uses, what extra
 * fields a machine carries and which default hooks it takes from xsPlatforms.c. This host is a
 * 64-bit Linux or macOS process that emulates one 32-bit device, so the choices below differ
 * from a desktop XS in two ways: the clock and the random source are the simulator's (virtual
 * time and a seeded generator, so runs are reproducible), and memory hooks account in device
 * units (see memory.c).
 */
#ifndef __MM_PLATFORM__
#define __MM_PLATFORM__

#if !defined(__GNUC__) || !(defined(__x86_64__) || defined(__aarch64__))
	#error "the micromine device host builds with gcc or clang for x86-64 or arm64"
#endif

#undef mxLittleEndian
#define mxLittleEndian 1
#if defined(__linux__)
	#undef mxLinux
	#define mxLinux 1
#else
	#undef mxMacOSX
	#define mxMacOSX 1
#endif
#define mxExport extern
#define mxImport extern
#define XS_FUNCTION_NORETURN __attribute__((noreturn))

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>
#include <pthread.h>
#include <unistd.h>

#define mxUseGCCAtomics 1
#define mxUsePOSIXThreads 1

/* The three waiter fields serve Atomics.wait; the rest is the device host's own state. */
#define mxMachinePlatform \
	void* waiterCondition; \
	void* waiterData; \
	void* waiterLink; \
	int abortStatus; \
	int promiseJobs;

#define mxUseDefaultBuildKeys 1
#define mxUseDefaultParseScript 1
#define mxUseDefaultSharedChunks 1
#define mxUseDefaultDebug 1

/* A 64-bit host keeps 32-bit key ids in the slot padding; the device keeps 16-bit ones. */
#define mx32bitID 1
#define mxCESU8 1

/* Date and Math.random read the simulator's clock and generator (see platform.c). */
typedef struct timeval c_timeval;
struct c_timezone;
extern int mmGetTimeOfDay(c_timeval* tv, struct c_timezone* tz);
#define c_gettimeofday mmGetTimeOfDay
extern int mmRandom(void);
#define c_rand mmRandom
#define C_RAND_MAX 0x7FFFFFFF

#endif /* __MM_PLATFORM__ */
