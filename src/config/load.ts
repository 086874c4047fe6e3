/**
 * Reading a keepalived.conf into the typed model: lines → keyword table → model → validation.
 * This is the one entry point the CLI, the daemon and the tests use.
 */
import { ConfigAbort, Diagnostics } from './diagnostics.js';
import type { ConfigFileSystem } from './config-fs.js';
import { memoryFileSystem, nodeFileSystem } from './config-fs.js';
import type { HostFacts } from './host-facts.js';
import { emptyConfig, type KeepalivedConfig } from './model/index.js';
import { rootKeywords } from './keywords/index.js';
import { parseStream } from './parser.js';
import { LineReader } from './line-reader.js';
import { validateConfig } from './validate/index.js';

export interface LoadOptions {
  readonly host: HostFacts;
  /** -i/--config-id; default: the host name up to the first '.'. */
  readonly configId?: string;
  /** -e/--all-config: every include must be found and readable. */
  readonly allConfig?: boolean;
  readonly fs?: ConfigFileSystem;
}

export interface LoadResult {
  readonly config: KeepalivedConfig;
  readonly diagnostics: Diagnostics;
  /** False when the main config file itself could not be read. */
  readonly found: boolean;
}

export function defaultConfigId(hostname: string): string {
  const dot = hostname.indexOf('.');
  return dot >= 0 ? hostname.slice(0, dot) : hostname;
}

export function loadConfig(file: string, options: LoadOptions): LoadResult {
  const diagnostics = new Diagnostics();
  const config = emptyConfig(options.host.hostname);
  const configId = options.configId ?? defaultConfigId(options.host.hostname);
  const reader = new LineReader({
    fs: options.fs ?? nodeFileSystem,
    diagnostics,
    configId,
    env: (name) => options.host.env(name),
    allConfig: options.allConfig ?? false,
  });
  const found = reader.openMain(file);
  if (found) {
    try {
      parseStream(reader, rootKeywords, { config, host: options.host, configId, diagnostics });
      validateConfig({
        config,
        host: options.host,
        report: (level, message) => diagnostics.add(level, message),
      });
    } catch (e) {
      if (!(e instanceof ConfigAbort)) throw e;
      diagnostics.aborted = true;
    }
  }
  return { config, diagnostics, found };
}

/** Parse config text held in memory (tests, fuzzing, `lint` of a piped config). */
export function loadConfigText(text: string, options: LoadOptions & { fileName?: string }): LoadResult {
  const name = options.fileName ?? '/etc/keepalived/keepalived.conf';
  return loadConfig(name, { ...options, fs: options.fs ?? memoryFileSystem({ [name]: text }, '/') });
}
