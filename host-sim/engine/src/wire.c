#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define mmInputFd 3
#define mmOutputFd 4

typedef struct {
	uint8_t* data;
	size_t size;
	size_t capacity;
} mmBuffer;

static mmBuffer gInput;   /* bytes read from Node, possibly several frames */
static size_t gInputStart; /* first byte not yet handed out */
static mmBuffer gOutput;
static size_t gFrameStart;

void mmProtocolError(const char* what)
{
	fprintf(stderr, "mm-device-host: protocol error: %s\n", what);
	exit(2);
}

static void mmReserve(mmBuffer* buffer, size_t more)
{
	if (buffer->size + more <= buffer->capacity)
		return;
	size_t capacity = buffer->capacity ? buffer->capacity : 65536;
	while (capacity < buffer->size + more)
		capacity *= 2;
	uint8_t* data = realloc(buffer->data, capacity);
	if (!data)
		mmProtocolError("out of host memory for a frame");
	buffer->data = data;
	buffer->capacity = capacity;
}

static uint32_t mmPeekU32(const uint8_t* p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int mmReadFrame(mmReader* reader)
{
	for (;;) {
		size_t available = gInput.size - gInputStart;
		if (available >= 4) {
			uint32_t length = mmPeekU32(gInput.data + gInputStart);
			if (length == 0)
				mmProtocolError("empty frame");
			if (available >= 4 + (size_t)length) {
				reader->data = gInput.data + gInputStart + 4;
				reader->size = length;
				reader->offset = 0;
				gInputStart += 4 + (size_t)length;
				return 1;
			}
		}
		/* Keep the partial frame, drop what was consumed, then read more. */
		if (gInputStart) {
			memmove(gInput.data, gInput.data + gInputStart, available);
			gInput.size = available;
			gInputStart = 0;
		}
		mmReserve(&gInput, 65536);
		ssize_t count = read(mmInputFd, gInput.data + gInput.size, gInput.capacity - gInput.size);
		if (count == 0) {
			if (gInput.size)
				mmProtocolError("input ended inside a frame");
			return 0;
		}
		if (count < 0) {
			if (errno == EINTR)
				continue;
			mmProtocolError(strerror(errno));
		}
		gInput.size += (size_t)count;
	}
}

static const uint8_t* mmTake(mmReader* reader, size_t count)
{
	if (reader->size - reader->offset < count)
		mmProtocolError("frame shorter than its fields");
	const uint8_t* p = reader->data + reader->offset;
	reader->offset += count;
	return p;
}

uint8_t mmReadU8(mmReader* reader)
{
	return *mmTake(reader, 1);
}

uint32_t mmReadU32(mmReader* reader)
{
	return mmPeekU32(mmTake(reader, 4));
}

double mmReadF64(mmReader* reader)
{
	double value;
	memcpy(&value, mmTake(reader, 8), 8); /* both ends are little-endian */
	return value;
}

const uint8_t* mmReadBytes(mmReader* reader, uint32_t* length)
{
	*length = mmReadU32(reader);
	return mmTake(reader, *length);
}

void mmBeginFrame(uint8_t type)
{
	mmReserve(&gOutput, 5);
	gFrameStart = gOutput.size;
	gOutput.size += 4;
	gOutput.data[gOutput.size++] = type;
}

void mmWriteU8(uint8_t value)
{
	mmReserve(&gOutput, 1);
	gOutput.data[gOutput.size++] = value;
}

void mmWriteU32(uint32_t value)
{
	mmReserve(&gOutput, 4);
	uint8_t* p = gOutput.data + gOutput.size;
	p[0] = (uint8_t)value;
	p[1] = (uint8_t)(value >> 8);
	p[2] = (uint8_t)(value >> 16);
	p[3] = (uint8_t)(value >> 24);
	gOutput.size += 4;
}

void mmWriteF64(double value)
{
	mmReserve(&gOutput, 8);
	memcpy(gOutput.data + gOutput.size, &value, 8);
	gOutput.size += 8;
}

void mmWriteBytes(const void* data, uint32_t length)
{
	mmWriteU32(length);
	mmReserve(&gOutput, length);
	if (length)
		memcpy(gOutput.data + gOutput.size, data, length);
	gOutput.size += length;
}

void mmEndFrame(void)
{
	uint32_t length = (uint32_t)(gOutput.size - gFrameStart - 4);
	uint8_t* p = gOutput.data + gFrameStart;
	p[0] = (uint8_t)length;
	p[1] = (uint8_t)(length >> 8);
	p[2] = (uint8_t)(length >> 16);
	p[3] = (uint8_t)(length >> 24);
}

void mmFlush(void)
{
	size_t offset = 0;
	while (offset < gOutput.size) {
		ssize_t count = write(mmOutputFd, gOutput.data + offset, gOutput.size - offset);
		if (count < 0) {
			if (errno == EINTR)
				continue;
			/* The driver is gone: nobody is left to report to. */
			exit(3);
		}
		offset += (size_t)count;
	}
	gOutput.size = 0;
}
