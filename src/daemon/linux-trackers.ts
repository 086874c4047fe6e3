/**
 * The TrackerHub of a real host: one VrrpScriptTracker per vrrp_script, a TrackFileSet for the
 * track_files and ProcessTracker per vrrp_track_process that some instance or sync group uses.
 * A reload keeps the trackers still configured (and their results, as keepalived does).
 */
import type { KeepalivedConfig } from '../config/model/index.js';
import type { TrackerInit } from '../vrrp/instance-types.js';
import { VrrpScriptTracker, vrrpScriptTrackerOptions } from '../platform/linux/vrrp-script-tracker.js';
import { TrackFileSet } from './track-file-set.js';
import { ProcessMonitor, ProcessTracker, processTrackerOptions } from '../platform/linux/track-process.js';
import type { Logger } from './logger.js';
import type { TrackerHub } from './vrrp-platform.js';

type Change = { kind: 'script' | 'file' | 'process'; name: string; up?: boolean; value?: number };

/** Names of the trackers some instance or sync group refers to (keepalived only runs those). */
function usedTrackers(config: KeepalivedConfig): { scripts: Set<string>; files: Set<string>; processes: Set<string> } {
  const scripts = new Set<string>();
  const files = new Set<string>();
  const processes = new Set<string>();
  for (const x of [...config.vrrp.instances, ...config.vrrp.syncGroups]) {
    for (const t of x.trackScripts) scripts.add(t.name);
    for (const t of x.trackFiles) files.add(t.name);
    for (const t of x.trackProcesses) processes.add(t.name);
  }
  return { scripts, files, processes };
}

export class LinuxTrackerHub implements TrackerHub {
  private readonly scripts = new Map<string, VrrpScriptTracker>();
  private readonly files: TrackFileSet;
  private readonly processes = new Map<string, ProcessTracker>();
  private monitor: ProcessMonitor | undefined;
  private readonly listeners: ((c: Change) => void)[] = [];
  private readonly logFn: (level: 'error' | 'warning' | 'info' | 'detail', message: string) => void;

  constructor(
    config: KeepalivedConfig,
    private readonly log: Logger,
  ) {
    this.logFn = (level, message) => log.log(level, message);
    this.files = new TrackFileSet(this.logFn);
    this.files.onChange((name, value) => this.emit({ kind: 'file', name, value }));
    this.apply(config, false);
  }

  onChange(cb: (c: Change) => void): void {
    this.listeners.push(cb);
  }

  private emit(c: Change): void {
    for (const l of this.listeners) l(c);
  }

  initial(): TrackerInit[] {
    const out: TrackerInit[] = [];
    for (const t of this.scripts.values()) {
      const i = t.trackerInit();
      if (i) out.push(i);
    }
    for (const tracker of this.files.trackers()) out.push(tracker.trackerInit());
    for (const t of this.processes.values()) out.push(t.trackerInit());
    return out;
  }

  reload(config: KeepalivedConfig): void {
    this.apply(config, true);
  }

  private apply(config: KeepalivedConfig, reload: boolean): void {
    const used = usedTrackers(config);

    for (const [name, t] of this.scripts) {
      if (!used.scripts.has(name)) {
        t.stop();
        this.scripts.delete(name);
      }
    }
    for (const s of config.vrrp.scripts) {
      if (!used.scripts.has(s.name)) continue;
      const previous = this.scripts.get(s.name);
      previous?.stop();
      const t = new VrrpScriptTracker(
        vrrpScriptTrackerOptions(s, {
          onChange: (up) => this.emit({ kind: 'script', name: s.name, up }),
          log: this.logFn,
          ...(previous ? { previous: previous.snapshot() } : reload ? { addedByReload: true } : {}),
        }),
      );
      this.scripts.set(s.name, t);
      t.start();
    }

    this.files.apply(config.global.trackFiles, used.files, reload);

    for (const [name, t] of this.processes) {
      t.stop();
      this.processes.delete(name);
    }
    const procs = config.vrrp.trackProcesses.filter((p) => used.processes.has(p.name));
    if (procs.length && !this.monitor) {
      this.monitor = new ProcessMonitor({ log: this.logFn });
      this.monitor.start();
    }
    for (const p of procs) {
      const t = new ProcessTracker(this.monitor!, processTrackerOptions(p, { onChange: (up) => this.emit({ kind: 'process', name: p.name, up }), log: this.logFn }));
      t.start();
      this.processes.set(p.name, t);
    }
  }

  close(): void {
    for (const t of this.scripts.values()) t.stop();
    this.files.close();
    for (const t of this.processes.values()) t.stop();
    this.monitor?.stop();
    this.scripts.clear();
    this.processes.clear();
  }
}
