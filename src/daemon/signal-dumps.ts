/**
 * What the VRRP process does on its dump signals, in one call per signal: format the file from a
 * snapshot, write it safely (dump-file.ts) and, for STATS_CLEAR, zero the counters afterwards.
 *   SIGUSR1      DATA         keepalived.data
 *   SIGUSR2      STATS        keepalived.stats
 *   SIGRTMAX-1   STATS_CLEAR  keepalived.stats, then counters zeroed
 *   SIGRTMIN+2   JSON         keepalived.json (no file when there is no instance, as keepalived)
 * The caller logs keepalived's line ("Printing VRRP stats for process(PID) on signal") and, on a
 * failed write, the returned error.
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { TimeZone } from './c-format.js';
import { formatDataDump } from './data-dump.js';
import type { GlobalDumpContext } from './data-dump-global.js';
import { dumpDirectory, dumpFilePath, writeDumpFile, type DumpWriteResult } from './dump-file.js';
import { formatJsonDump } from './json-dump.js';
import { formatStatsFile } from './stats-file.js';
import type { VrrpSnapshot } from './vrrp-snapshot.js';
import type { VrrpStatsBook } from './vrrp-stats.js';

export type DumpSignal = 'data' | 'stats' | 'stats-clear' | 'json';

export interface SignalDumpInput {
  readonly config: KeepalivedConfig;
  readonly snapshot: VrrpSnapshot;
  readonly book: VrrpStatsBook;
  /** Directory of the dumps (default: $TMPDIR or /tmp). */
  readonly directory?: string;
  /** File mode (default 0600). */
  readonly mode?: number;
  /** The data dump's extra facts (umask, default script user). */
  readonly globalContext?: GlobalDumpContext;
  readonly timeZone?: TimeZone;
}

/** The file's text for a signal, or undefined when keepalived writes nothing. */
export function dumpText(signal: DumpSignal, input: SignalDumpInput): string | undefined {
  const { config, snapshot } = input;
  switch (signal) {
    case 'stats':
    case 'stats-clear':
      return formatStatsFile(snapshot.instances.map((i) => ({ name: i.config.name, stats: i.stats })));
    case 'json':
      return formatJsonDump(snapshot.instances, config.vrrp.scripts);
    case 'data':
      return formatDataDump({
        global: config.global,
        vrrp: config.vrrp,
        snapshot,
        ...(input.globalContext ? { globalContext: input.globalContext } : {}),
        ...(input.timeZone ? { timeZone: input.timeZone } : {}),
      });
  }
}

/** Writes the dump for a signal; undefined when there was nothing to write. Never throws. */
export function writeSignalDump(signal: DumpSignal, input: SignalDumpInput): DumpWriteResult | undefined {
  const text = dumpText(signal, input);
  if (text === undefined) return undefined;
  const g = input.config.global;
  const path = dumpFilePath(signal === 'stats-clear' ? 'stats' : signal, {
    directory: input.directory ?? dumpDirectory(),
    dataUseInstance: g.dataUseInstance,
    ...(g.instanceName !== undefined ? { instanceName: g.instanceName } : {}),
    ...(g.netNamespace !== undefined ? { netNamespace: g.netNamespace } : {}),
  });
  const result = writeDumpFile(path, text, input.mode !== undefined ? { mode: input.mode } : {});
  // keepalived zeroes the counters as it prints them: not when the file could not be opened
  if (signal === 'stats-clear' && result.ok) input.book.clear();
  return result;
}
