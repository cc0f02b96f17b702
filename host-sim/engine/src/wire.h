/*
 * Frames between the Node driver and the device host.
 *
 * A frame is a little-endian u32 body length followed by the body; the body starts with a
 * one-byte frame type. Frames from Node arrive on fd 3, frames to Node leave on fd 4, so that a
 * stray write on stdout or stderr can never corrupt the stream. Output is buffered and written
 * in one system call when the host is about to wait for Node (end of a call, host call) or to
 * exit, which keeps a round trip at one write and one read on each side.
 *
 * Inside a body, values are tagged: 'u' undefined, 'n' null, 'f' false, 't' true,
 * 'd' f64 number, 's' string (u32 length + UTF-8), 'b' bytes (u32 length + bytes).
 */
#ifndef __MM_WIRE__
#define __MM_WIRE__

#include <stddef.h>
#include <stdint.h>

typedef struct {
	const uint8_t* data;
	size_t size;
	size_t offset;
} mmReader;

/* Blocks until one whole frame has arrived; returns 0 at end of input. The body stays valid
 * until the next call. */
int mmReadFrame(mmReader* reader);

/* Reading from a body: a short body is a protocol error, reported on stderr before exiting
 * with status 2, because the driver and the host disagree about the format. */
uint8_t mmReadU8(mmReader* reader);
uint32_t mmReadU32(mmReader* reader);
double mmReadF64(mmReader* reader);
const uint8_t* mmReadBytes(mmReader* reader, uint32_t* length);

void mmBeginFrame(uint8_t type);
void mmWriteU8(uint8_t value);
void mmWriteU32(uint32_t value);
void mmWriteF64(double value);
void mmWriteBytes(const void* data, uint32_t length);
void mmEndFrame(void);
void mmFlush(void);

void mmProtocolError(const char* what);

#endif /* __MM_WIRE__ */
