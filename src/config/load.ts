/**
 * Reading a keepalived.conf into the typed model: lines → keyword table → model → validation.
 * This is the one entry point the CLI, the daemon and the tests use.
 *
 * keepalived -t reads the config three times (parent: global settings; checker process: virtual
 * servers; VRRP process: VRRP), each time skipping the blocks it does not own, and validates each
 * part after its read (keepalived/core/main.c, validate_config()). When the config's block
 * structure is sound, one read with every keyword active sees exactly what the three reads see, so
 * that is what we do first. When it is not (a stray or missing brace), or a read stops early (a
 * missing parameter, a required include), the three reads are made as keepalived makes them, so
 * that the verdict is still keepalived's.
 */
import { ConfigAbort, ConfigErr, Diagnostics } from './diagnostics.js';
import type { ConfigFileSystem } from './config-fs.js';
import { memoryFileSystem, nodeFileSystem } from './config-fs.js';
import type { HostFacts } from './host-facts.js';
import { emptyConfig, type KeepalivedConfig } from './model/index.js';
import { emptyBfdConfig } from './model/bfd.js';
import { allActiveKeywords, keepalivedPasses } from './keywords/index.js';
import type { KeywordDef } from './keyword-table.js';
import { parseStream } from './parser.js';
import { LineReader } from './line-reader.js';
import { validateBfd, validateConfig, validateGlobal, validateLvs, validateVrrp } from './validate/index.js';
import type { ValidationContext } from './validate/context.js';

export interface LoadOptions {
  readonly host: HostFacts;
  /** -i/--config-id; default: the host name up to the first '.'. */
  readonly configId?: string;
  /** -e/--all-config: every include must be found and readable. */
  readonly allConfig?: boolean;
  readonly fs?: ConfigFileSystem;
  /** Seed of ${_RANDOM} when the config sets no random_seed (default: the time, as keepalived). */
  readonly randomSeed?: number;
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

interface Run {
  readonly file: string;
  readonly options: LoadOptions;
  readonly configId: string;
  readonly config: KeepalivedConfig;
  readonly diagnostics: Diagnostics;
}

type ReadOutcome = 'read' | 'missing' | 'aborted';

/** One read of the config with the given root table. */
function read(run: Run, keywords: readonly KeywordDef[], copyPass = false): ReadOutcome {
  const reader = new LineReader({
    copyPass,
    fs: run.options.fs ?? nodeFileSystem,
    diagnostics: run.diagnostics,
    configId: run.configId,
    env: (name) => run.options.host.env(name),
    allConfig: run.options.allConfig ?? false,
    randomSeed: run.options.randomSeed ?? Math.floor(Date.now() / 1000),
  });
  if (!reader.openMain(run.file)) return 'missing';
  try {
    parseStream(reader, keywords, {
      config: run.config,
      host: run.options.host,
      configId: run.configId,
      diagnostics: run.diagnostics,
    });
    return 'read';
  } catch (e) {
    if (!(e instanceof ConfigAbort)) throw e;
    run.diagnostics.aborted = true;
    return 'aborted';
  }
}

function validation(run: Run): ValidationContext {
  return {
    config: run.config,
    host: run.options.host,
    report: (level: ConfigErr, message: string) => run.diagnostics.add(level, message),
  };
}

/** keepalived's own sequence of reads and checks. */
function readAsKeepalived(run: Run): void {
  if (read(run, keepalivedPasses.parent) !== 'read' || run.diagnostics.includeFailed) return;
  const ctx = validation(run);
  validateGlobal(ctx);
  if (read(run, keepalivedPasses.checker, true) !== 'read') return;
  validateLvs(ctx);
  // the VRRP process has BFD instances and track files of its own
  run.config.bfd = emptyBfdConfig();
  run.config.global.trackFiles = [];
  if (read(run, keepalivedPasses.vrrp, true) !== 'read') return;
  validateVrrp(ctx);
  validateBfd(ctx);
}

export function loadConfig(file: string, options: LoadOptions): LoadResult {
  const configId = options.configId ?? defaultConfigId(options.host.hostname);
  const single: Run = { file, options, configId, config: emptyConfig(options.host.hostname), diagnostics: new Diagnostics() };
  const outcome = read(single, allActiveKeywords);
  if (outcome === 'missing') return { config: single.config, diagnostics: single.diagnostics, found: false };
  const d = single.diagnostics;
  if (outcome === 'read' && !d.includeFailed && !d.passesMayDiffer) {
    validateConfig(validation(single));
    return { config: single.config, diagnostics: d, found: true };
  }
  const exact: Run = {
    file,
    options,
    configId,
    config: emptyConfig(options.host.hostname),
    diagnostics: new Diagnostics({ unique: true }),
  };
  readAsKeepalived(exact);
  return { config: exact.config, diagnostics: exact.diagnostics, found: true };
}

/** Parse config text held in memory (tests, fuzzing, `lint` of a piped config). */
export function loadConfigText(text: string, options: LoadOptions & { fileName?: string }): LoadResult {
  const name = options.fileName ?? '/etc/keepalived/keepalived.conf';
  return loadConfig(name, { ...options, fs: options.fs ?? memoryFileSystem({ [name]: text }, '/') });
}
