/** `keepalived-ts -t`: check a configuration as `keepalived -t` does, with the same exit codes. */
import { CONFIG_TEST_EXIT, formatDiagnostic } from '../config/diagnostics.js';
import { dumpConfig } from '../config/dump.js';
import { linuxHostFacts } from '../config/linux-host-facts.js';
import { loadConfig, type LoadResult } from '../config/load.js';
import type { Output } from './output.js';


export interface ConfigRequest {
  readonly file: string;
  readonly configId?: string;
  readonly allConfig: boolean;
}

export function missingConfigMessage(file: string): string {
  return `Config files missing '${file}'.`;
}

/** Load a config against the running host, print its diagnostics on `io.err`. */
export function loadAndReport(req: ConfigRequest, io: Output): LoadResult {
  const result = loadConfig(req.file, {
    host: linuxHostFacts(),
    allConfig: req.allConfig,
    ...(req.configId !== undefined ? { configId: req.configId } : {}),
  });
  for (const d of result.diagnostics.list) io.err(formatDiagnostic(d) + '\n');
  const missing = missingConfigMessage(req.file);
  if (!result.found && !result.diagnostics.list.some((d) => d.message === missing)) io.err(missing + '\n');
  return result;
}

/**
 * The config test. A missing main file exits 4 (cannot run): keepalived 2.2.7 exits 0 there,
 * which would let a deployment check pass on a typo in the path; we deliberately differ.
 */
export function runConfigTest(req: ConfigRequest & { dump: boolean }, io: Output): number {
  const result = loadAndReport(req, io);
  if (!result.found) return CONFIG_TEST_EXIT.CANNOT_RUN;
  if (req.dump) io.out(dumpConfig(result.config) + '\n');
  return result.diagnostics.exitCode();
}
