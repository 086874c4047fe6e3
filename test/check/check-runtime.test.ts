/**
 * The check runtime end to end on loopback, with real timers and real TCP_CHECK attempts: a
 * listener that goes away is declared DOWN after exactly `retry` retries, and comes back UP;
 * the rs-alive changes and keepalived's log lines come out in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { loadConfigText } from '../../src/config/load.js';
import { ethernetInterface, staticHostFacts } from '../../src/config/host-facts.js';
import { CheckRuntime, type OutwardAction } from '../../src/check/check-runtime.js';
import { tcpCheckerFactory } from '../../src/check/tcp-check.js';
import type { CheckerFactory } from '../../src/check/checker-types.js';

const host = staticHostFacts({ hostname: 'host', interfaces: [ethernetInterface('eth0', 2)] });

async function waitFor(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function listenOn(port: number, onConnection: () => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((s) => {
      onConnection();
      s.on('error', () => {});
      s.destroy();
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

test('a listener that goes away: DOWN after exactly `retry` retries, UP again when it returns', async () => {
  let accepted = 0;
  let server = await listenOn(0, () => accepted++);
  const port = (server.address() as net.AddressInfo).port;
  const RETRY = 2;
  const config = `virtual_server 10.9.9.1 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  real_server 127.0.0.1 ${port} {\n    TCP_CHECK {\n      delay_loop 0.3\n      warmup 0\n      retry ${RETRY}\n      delay_before_retry 0.1\n      connect_timeout 1\n    }\n  }\n}\n`;
  const vss = loadConfigText(config, { host }).config.lvs.virtualServers;
  const events: OutwardAction[] = [];
  const logs: string[] = [];
  // count attempts (each a real TCP connect) while the listener is away
  let attempts = 0;
  const counting: CheckerFactory = (ctx) => {
    const inner = tcpCheckerFactory(ctx);
    return { run: (signal) => (attempts++, inner.run(signal)) };
  };
  const rt = new CheckRuntime({ virtualServers: vss, log: (_l, m) => logs.push(m), onAction: (a) => events.push(a), factory: () => counting });
  try {
    rt.start();
    await waitFor('two successes', () => accepted >= 2);
    await new Promise<void>((r) => server.close(() => r()));
    const before = attempts;
    await waitFor('DOWN', () => events.some((e) => e.type === 'rs-alive-changed' && !e.alive));
    // the attempt that failed first plus RETRY retries, nothing more
    assert.equal(attempts - before, RETRY + 1);
    const atDown = attempts;
    // down: TCP_CHECK keeps probing (retry again each loop); bring the listener back
    server = await listenOn(port, () => accepted++);
    const acceptedBefore = accepted;
    await waitFor('UP', () => events.some((e) => e.type === 'rs-alive-changed' && e.alive));
    // a loopback connect completes inside connect(): the verdict can come before this process's
    // listener has run its accept callback, so wait for that before counting (the next check is
    // a delay_loop away)
    await waitFor('the accept of the successful check', () => accepted > acceptedBefore);
    assert.equal(accepted - acceptedBefore, 1, 'one successful connect brings it back');
    assert.ok(attempts > atDown);
    assert.deepEqual(
      events.map((e) => (e.type === 'rs-alive-changed' ? `${e.type} ${e.alive} ${e.weight}` : e.type)),
      ['checker-down', 'rs-alive-changed false 1', 'checker-up', 'rs-alive-changed true 1'],
    );
    const rs = `[127.0.0.1]:tcp:${port}`;
    assert.deepEqual(logs, [
      `Activating healthchecker for service ${rs} for VS [10.9.9.1]:tcp:80`,
      `TCP connection to ${rs} success.`,
      `TCP_CHECK on service ${rs} failed after ${RETRY} retries.`,
      `TCP connection to ${rs} success.`,
    ]);
    assert.equal(rt.stats.attemptErrors, 0);
  } finally {
    await rt.stop();
    server.close();
  }
});

test('stop aborts running attempts and schedules nothing more', async () => {
  const config = `virtual_server 10.9.9.1 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  real_server 192.0.2.1 80 {\n    TCP_CHECK {\n      delay_loop 0.2\n      warmup 0\n      connect_timeout 30\n    }\n  }\n}\n`;
  const vss = loadConfigText(config, { host }).config.lvs.virtualServers;
  let started = 0;
  let aborted = 0;
  const hanging: CheckerFactory = () => ({
    run: (signal) =>
      new Promise((resolve) => {
        started++;
        signal.addEventListener('abort', () => {
          aborted++;
          resolve({ ok: false, reason: 'aborted' });
        });
      }),
  });
  const rt = new CheckRuntime({ virtualServers: vss, factory: () => hanging });
  rt.start();
  await waitFor('an attempt', () => started === 1);
  await rt.stop();
  assert.equal(aborted, 1);
  assert.deepEqual([rt.stats.attemptsStarted, rt.stats.attemptsAborted, rt.stats.running], [1, 1, 0]);
});
