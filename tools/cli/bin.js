#!/usr/bin/env node
// The `micromine` executable (package.json "bin"): registers tsx so the TypeScript sources run
// as they are, then hands the command line to the dispatcher (tools/cli/main.ts).
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./main.ts');
process.exitCode = await run(process.argv.slice(2));
