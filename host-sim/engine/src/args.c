/*
 * The device host's command line: the device's creation in device units (see main.c).
 */
#include "mm.h"
#include <errno.h>

/* sysexits.h's EX_USAGE: the driver and the host disagree about the command line. */
enum { mmExitUsage = 64 };

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

void mmParseArguments(int argc, char* argv[], mmCreation* creation, uint64_t* seed)
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

