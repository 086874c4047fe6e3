/**
 * Shared by the script/tracker tests: a private temporary directory, executable scripts in it,
 * waiting for an outcome with a generous bound, and hand-driven timers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Timers } from '../../../src/platform/linux/timers.js';
import type { LogFn, LogLevel } from '../../../src/platform/linux/driver-log.js';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export class TempDir {
  readonly path: string;
  constructor(prefix = 'kts-scripts-') {
    this.path = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }
  file(name: string): string {
    return path.join(this.path, name);
  }
  /** An executable script (mode 0755). */
  script(name: string, body: string): string {
    const p = this.file(name);
    fs.writeFileSync(p, body, { mode: 0o755 });
    fs.chmodSync(p, 0o755);
    return p;
  }
  remove(): void {
    fs.rmSync(this.path, { recursive: true, force: true });
  }
}

/** Resolve once `cond()` holds; reject after `timeoutMs` (a bound, never an assertion on time). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a zombie still answers kill(0); it is gone for our purpose
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
}

export function recordingLog(): { log: LogFn; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { log: (level, message) => lines.push({ level, message }), lines };
}

/** Timers fired by hand: `advance(ms)` runs every timer due, in order. */
export class ManualTimers implements Timers {
  private now = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get count(): number {
    return this.pending.size;
  }

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.pending) if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0]))) next = e;
      if (!next) break;
      this.pending.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = end;
  }
}
