// The structured errors of the parts (build, manifests, node, simulator, engine, provisioning)
// mapped onto the CLI's exit codes, for the commands the CLI runs itself (start, report, bench).
import { BuildError } from '../build/errors.ts';
import { ManifestError } from '../manifests/index.ts';
import { ToolError } from '../provision/errors.ts';
import { EngineError } from '../../host-sim/engine/errors.ts';
import { SimError } from '../../host-sim/errors.ts';
import { NodeError } from '../../trusted-node/errors.ts';
import { CliError, type CliErrorKind } from './errors.ts';

const ENVIRONMENT_TOOL_CODES = new Set(['node_unreachable', 'port_unreachable', 'env_missing', 'no_answer']);

/** `error` as a CliError when it is one of the parts' structured errors, else undefined. */
export function asCliError(error: unknown): CliError | undefined {
  if (error instanceof CliError) return error;
  const make = (kind: CliErrorKind, message: string, hint?: string): CliError => new CliError(kind, message, hint);
  if (error instanceof ManifestError) return make('input', error.message, error.hint);
  if (error instanceof BuildError) {
    const input = error.code === 'unknown-target' || error.code === 'manifest' || error.code === 'bad-option' || error.code === 'unknown-option';
    return make(input ? 'input' : error.code === 'io' ? 'environment' : 'failed', `build: ${error.message}`, error.hint);
  }
  if (error instanceof NodeError) {
    const environment = error.code === 'listen' || error.code === 'data_dir' || error.code === 'unreachable' || error.code === 'store';
    return make(environment ? 'environment' : 'failed', error.message, error.hint);
  }
  if (error instanceof SimError) return make(error.code === 'usage' || error.code === 'profile' ? 'input' : error.code === 'no-image' ? 'environment' : 'failed', error.message, error.hint);
  if (error instanceof EngineError) return make(error.code === 'not-built' ? 'environment' : 'failed', `engine: ${error.message}`, error.hint);
  if (error instanceof ToolError) return make(error.code === 'usage' ? 'usage' : ENVIRONMENT_TOOL_CODES.has(error.code) ? 'environment' : 'failed', error.message, error.hint);
  return undefined;
}
