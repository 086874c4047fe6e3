/**
 * Preloaded into keepalived-ts by the socket soak (NODE_OPTIONS=--import=<this file>), so the
 * soak can read the V8 heap of the VRRP child, which /proc cannot show. Every
 * KTS_BENCH_MEMORY_EVERY_MS (default 1000) each Node process of the daemon rewrites
 * `$KTS_BENCH_MEMORY_DIR/<pid>.json` with process.memoryUsage(). The file stays open for the
 * process's life, so the descriptor count the soak watches is constant (one extra fd), not a
 * descriptor that appears and disappears between samples. Does nothing without the variable.
 *
 * With KTS_BENCH_MEMORY_GC=1 it also runs a full garbage collection just before each sample
 * and reports the heap left (`heapLive`): heapUsed at a random moment is mostly garbage waiting
 * for the next collection, so only the heap after a full GC shows a leak. The collection pauses
 * the process for a few milliseconds, which is why it is off unless asked for and the interval
 * should then be long (the soak uses its sampling period).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

const dir = process.env.KTS_BENCH_MEMORY_DIR;
if (dir !== undefined && dir !== '') {
  const everyMs = Number(process.env.KTS_BENCH_MEMORY_EVERY_MS ?? '1000');
  const fullGc = process.env.KTS_BENCH_MEMORY_GC === '1' ? exposeGc() : undefined;
  const fd = fs.openSync(path.join(dir, `${process.pid}.json`), 'w');
  const write = (): void => {
    const before = process.memoryUsage();
    let heapLive: number | undefined;
    if (fullGc) {
      fullGc();
      heapLive = process.memoryUsage().heapUsed;
    }
    const text = JSON.stringify({ pid: process.pid, at: Date.now(), rss: before.rss, heapUsed: before.heapUsed, heapTotal: before.heapTotal, heapLive, external: before.external, arrayBuffers: before.arrayBuffers });
    try {
      // one pwrite of a line padded to a fixed width at offset 0: a reader never sees a stale tail
      fs.writeSync(fd, text.padEnd(255, ' ') + '\n', 0);
    } catch {
      /* the soak only loses a sample */
    }
  };
  write();
  setInterval(write, Number.isFinite(everyMs) && everyMs >= 100 ? everyMs : 1000).unref();
}

/** V8's gc() without --expose-gc on the command line (NODE_OPTIONS does not accept that flag in Node 20). */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
