/*
 * Code the device keeps in flash.
 *
 * On a board, Moddable's build compiles every module ahead of time and its linker rewrites
 * the byte code so that functions and string literals are used in place from flash (the
 * CODE_ARCHIVE and STRING_ARCHIVE forms): the code of an image costs no RAM, only what it
 * creates does. This file gives the simulator the same property for source text: it compiles
 * with a desktop-sized parser (the device's parser buffer only limits eval at run time),
 * rewrites the byte code the same way and keeps the buffer for the life of the process.
 *
 * It also holds the image table (ROM and image modules, image scripts, by name) that XS asks
 * through fxFindModule and fxLoadModule.
 */
#include "mm.h"
#include "xsScript.h"

extern void fxRemapIDs(txMachine* the, txByte* codeBuffer, txSize codeSize, txID* theIDs);

#define mmImageParserBuffer (1024 * 1024)
#define mmImageParserTable 1993

typedef struct sxImageModule {
	struct sxImageModule* next;
	char* name;
	char* source;
	size_t sourceLength;
	txBoolean module;  /* an ES module, or a script */
	txScript* script;  /* compiled at boot; a module's is consumed by its first import */
} txImageModule;

static txImageModule* gModules = C_NULL;

/* Every compiled script of the current machine: its code must live as long as the machine. */
typedef struct sxFlashEntry {
	struct sxFlashEntry* next;
	txScript* script;
} txFlashEntry;

static txFlashEntry* gFlash = C_NULL;
static size_t gFlashBytes = 0;

typedef struct {
	const unsigned char* bytes;
	size_t length;
	size_t offset;
} txSourceStream;

static int mmSourceGetter(void* stream)
{
	txSourceStream* self = stream;
	return (self->offset < self->length) ? self->bytes[self->offset++] : C_EOF;
}

static char gParseError[512];

static void mmReportParseError(void* console, txString path, txInteger line, txString format, c_va_list arguments)
{
	if (gParseError[0])
		return; /* the first error is the one worth reading */
	int used = c_snprintf(gParseError, sizeof(gParseError), "%s:%d: ", path ? path : "?", (int)line);
	if (used > 0 && used < (int)sizeof(gParseError))
		c_vsnprintf(gParseError + used, sizeof(gParseError) - used, format, arguments);
}

static void mmMapToFlash(txMachine* the, txScript* script)
{
	/* What fxRunScript would do at run time, done once here so that the buffer can outlive
	 * the run: bind the script's symbols to the machine's keys. */
	if (script->symbolsBuffer) {
		txByte* p = script->symbolsBuffer;
		txID count, index;
		mxDecodeID(p, count);
		txID* ids = c_malloc(count * sizeof(txID));
		if (!ids)
			fxAbort(the, XS_NOT_ENOUGH_MEMORY_EXIT);
		ids[0] = XS_NO_ID;
		for (index = 1; index < count; index++) {
			ids[index] = fxNewNameC(the, (txString)p);
			p += mxStringLength((char*)p) + 1;
		}
		fxRemapIDs(the, script->codeBuffer, script->codeSize, ids);
		c_free(ids);
		c_free(script->symbolsBuffer);
		script->symbolsBuffer = C_NULL;
		script->symbolsSize = 0;
	}
	/* Then use nested functions and string literals in place, as the Moddable linker does.
	 * Each archive form has the operands of the form it replaces. */
	txByte* p = script->codeBuffer;
	txByte* limit = p + script->codeSize;
	while (p < limit) {
		txU1 code = *(txU1*)p;
		if ((XS_CODE_CODE_1 <= code) && (code <= XS_CODE_CODE_4))
			*(txU1*)p = code = code - XS_CODE_CODE_1 + XS_CODE_CODE_ARCHIVE_1;
		else if ((XS_CODE_STRING_1 <= code) && (code <= XS_CODE_STRING_4))
			*(txU1*)p = code = code - XS_CODE_STRING_1 + XS_CODE_STRING_ARCHIVE_1;
		txS1 size = gxCodeSizes[code];
		if (size > 0)
			p += size;
		else if (size == 0)
			p += 1 + sizeof(txID);
		else if (size == -1)
			p += 2 + *(txU1*)(p + 1);
		else {
			txByte* q = p + 1;
			if (size == -2) {
				txU2 length;
				mxDecode2(q, length);
				p = q + length;
			}
			else {
				txS4 length;
				mxDecode4(q, length);
				p = q + length;
			}
		}
	}
}

txScript* mmParseImage(txMachine* the, const char* path, const char* source, size_t length, txBoolean module)
{
	txParser _parser;
	txParser* parser = &_parser;
	txParserJump jump;
	txSourceStream stream = { (const unsigned char*)source, length, 0 };
	txScript* volatile script = C_NULL; /* set between setjmp and a possible longjmp */
	gParseError[0] = 0;
	fxInitializeParser(parser, the, mmImageParserBuffer, mmImageParserTable);
	parser->firstJump = &jump;
	parser->reportError = mmReportParseError;
	if (c_setjmp(jump.jmp_buf) == 0) {
		parser->path = fxNewParserSymbol(parser, (txString)path);
		fxParserTree(parser, &stream, mmSourceGetter, module ? mxDebugFlag : (mxProgramFlag | mxDebugFlag), C_NULL);
		fxParserHoist(parser);
		fxParserBind(parser);
		if (parser->errorCount == 0)
			script = fxParserCode(parser);
	}
	fxTerminateParser(parser);
	if (!script) {
		if (!gParseError[0])
			c_snprintf(gParseError, sizeof(gParseError), "%s: cannot be compiled", path);
		mmThrowError(the, &mxSyntaxErrorConstructor, gParseError);
	}
	mmMapToFlash(the, script);
	txFlashEntry* entry = c_malloc(sizeof(txFlashEntry));
	if (!entry)
		fxAbort(the, XS_NOT_ENOUGH_MEMORY_EXIT);
	entry->script = script;
	entry->next = gFlash;
	gFlash = entry;
	gFlashBytes += script->codeSize;
	return script;
}

size_t mmFlashBytes(void)
{
	return gFlashBytes;
}

void mmEraseFlash(void)
{
	while (gFlash) {
		txFlashEntry* entry = gFlash;
		gFlash = entry->next;
		fxDeleteScript(entry->script);
		c_free(entry);
	}
	gFlashBytes = 0;
	for (txImageModule* module = gModules; module; module = module->next)
		module->script = C_NULL;
}

void mmLinkImage(txMachine* the)
{
	for (txImageModule* entry = gModules; entry; entry = entry->next) {
		if (!entry->script)
			entry->script = mmParseImage(the, entry->name, entry->source, entry->sourceLength, entry->module);
	}
}

void mmInstallImage(const char* name, size_t nameLength, const char* source, size_t sourceLength, txBoolean isModule)
{
	txImageModule* module = c_calloc(1, sizeof(txImageModule));
	if (module) {
		module->name = c_malloc(nameLength + 1);
		module->source = c_malloc(sourceLength + 1);
	}
	if (!module || !module->name || !module->source) {
		c_fprintf(stderr, "mm-device-host: out of host memory for module sources\n");
		c_exit(2);
	}
	c_memcpy(module->name, name, nameLength);
	module->name[nameLength] = 0;
	c_memcpy(module->source, source, sourceLength);
	module->source[sourceLength] = 0;
	module->sourceLength = sourceLength;
	module->module = isModule;
	module->next = gModules;
	gModules = module;
}

static txImageModule* mmFindImage(const char* name, txBoolean isModule)
{
	txImageModule* entry = gModules;
	while (entry && ((entry->module != isModule) || c_strcmp(entry->name, name)))
		entry = entry->next;
	return entry;
}

txScript* mmImageScript(txMachine* the, const char* name)
{
	txImageModule* entry = mmFindImage(name, 0);
	return entry ? entry->script : C_NULL;
}

/* Specifiers are names ("timer", "embedded:io/socket/tcp") or paths relative to the importing
 * module ("./util", "../lib/hex"), resolved like URL paths. */
txID fxFindModule(txMachine* the, txSlot* realm, txID moduleID, txSlot* slot)
{
	char name[C_PATH_MAX];
	char resolved[C_PATH_MAX];
	fxToStringBuffer(the, slot, name, sizeof(name));
	if ((name[0] == '.') && ((name[1] == '/') || ((name[1] == '.') && (name[2] == '/')))) {
		if (moduleID == XS_NO_ID)
			return XS_NO_ID;
		c_strncpy(resolved, fxGetKeyName(the, moduleID), sizeof(resolved) - 1);
		resolved[sizeof(resolved) - 1] = 0;
		char* slash = c_strrchr(resolved, '/');
		char* end = slash ? slash : resolved;
		*end = 0;
		const char* rest = name;
		for (;;) {
			if ((rest[0] == '.') && (rest[1] == '/'))
				rest += 2;
			else if ((rest[0] == '.') && (rest[1] == '.') && (rest[2] == '/')) {
				rest += 3;
				slash = c_strrchr(resolved, '/');
				if (!slash)
					return XS_NO_ID; /* above the root of the image */
				*slash = 0;
			}
			else
				break;
		}
		size_t used = c_strlen(resolved);
		if (used + 1 + c_strlen(rest) + 1 > sizeof(resolved))
			mxRangeError("module specifier too long");
		if (used)
			resolved[used++] = '/';
		c_strcpy(resolved + used, rest);
	}
	else
		c_strcpy(resolved, name);
	if (!mmFindImage(resolved, 1))
		return XS_NO_ID;
	return fxNewNameC(the, resolved);
}

void fxLoadModule(txMachine* the, txSlot* module, txID moduleID)
{
	txString name = fxGetKeyName(the, moduleID);
	txImageModule* image = mmFindImage(name, 1);
	if (image) {
		txScript* script = image->script;
		image->script = C_NULL;
		if (!script)
			script = mmParseImage(the, name, image->source, image->sourceLength, 1);
		fxResolveModule(the, module, moduleID, script, C_NULL, C_NULL);
	}
}
