/**
 * Attempts that share one abort signal (CheckAttempt.sharesSignal): a reload or stop abandons every
 * running attempt, and the shared signal is then aborted so they end at once; attempts started
 * afterwards get a fresh signal that is not aborted. Attempts that do not share keep a signal of
 * their own. Fake attempts, no I/O.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { CheckRuntime } from '../../src/check/check-runtime.js';
import type { CheckerFactory, CheckOutcome } from '../../src/check/checker-types.js';

const host = staticHostFacts({ hostname: 'host', interfaces: [ethernetInterface('eth0', 2)] });
const config = (n: number): string =>
  `virtual_server 10.9.9.1 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${Array.from({ length: n }, (_, i) => `  real_server 127.0.0.${i + 1} 80 {\n    TCP_CHECK {\n      delay_loop 0.05\n      warmup 0\n    }\n  }\n`).join('')}}\n`;

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Attempts that never finish on their own: they end only when their signal is aborted. */
function hanging(shares: boolean, seen: AbortSignal[]): CheckerFactory {
  return () => ({
    ...(shares ? { sharesSignal: true } : {}),
    run: (signal) =>
      new Promise<CheckOutcome>((resolve) => {
        seen.push(signal);
        signal.addEventListener('abort', () => resolve({ ok: false, reason: 'aborted' }), { once: true });
      }),
  });
}

for (const shares of [true, false]) {
  test(`reload and stop end every running attempt at once (${shares ? 'one shared signal' : 'a signal each'})`, async () => {
    const seen: AbortSignal[] = [];
    const vss = loadConfigText(config(3), { host }).config.lvs.virtualServers;
    const rt = new CheckRuntime({ virtualServers: vss, factory: () => hanging(shares, seen) });
    rt.start();
    await waitFor('three running attempts', () => rt.stats.running === 3);
    assert.equal(new Set(seen).size, shares ? 1 : 3);
    rt.reload(vss);
    assert.deepEqual(seen.map((s) => s.aborted), [true, true, true]);
    await waitFor('three new attempts', () => seen.length === 6 && rt.stats.running === 3);
    assert.deepEqual(seen.slice(3).map((s) => s.aborted), [false, false, false]);
    await rt.stop();
    assert.deepEqual(seen.map((s) => s.aborted), [true, true, true, true, true, true]);
    assert.deepEqual([rt.stats.attemptsAborted, rt.stats.running], [6, 0]);
  });
}
