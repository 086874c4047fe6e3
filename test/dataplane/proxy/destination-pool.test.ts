/** The pure scheduling core of the proxy: thresholds, persistence expiry, quiescent templates, draining. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DestinationPool } from '../../../src/dataplane/proxy/destination-pool.js';
import { createScheduler } from '../../../src/lvs/schedulers/index.js';
import { dest, tcpService } from './loopback-fixtures.js';

const S = 1_000_000;
const pick = (pool: DestinationPool, client: string, now = 0) => pool.choose(client, 1000, '10.0.0.1', 80, now)?.destination.id;

test('upper/lower thresholds mark a destination overloaded and clear it with hysteresis', () => {
  const svc = tcpService('10.0.0.1', 80, 'rr', [dest('10.0.0.5', 80, 1, { upperThreshold: 2, lowerThreshold: 1 }), dest('10.0.0.6', 80)]);
  const pool = new DestinationPool(svc, createScheduler('rr'));
  const [a] = pool.listed();
  pool.opened(a!);
  pool.opened(a!);
  assert.equal(a!.overloaded, true);
  assert.deepEqual([pick(pool, 'c1'), pick(pool, 'c2')], ['10.0.0.6:80', '10.0.0.6:80']);
  pool.closed(a!, undefined, 0);
  assert.equal(a!.overloaded, true, 'still at the lower threshold');
  pool.closed(a!, undefined, 0);
  assert.equal(a!.overloaded, false);
});

test('persistence templates expire after the timeout once no connection holds them', () => {
  const svc = tcpService('10.0.0.1', 80, 'rr', [dest('10.0.0.5', 80), dest('10.0.0.6', 80)], { persistence: { timeout: 60 } });
  const pool = new DestinationPool(svc, createScheduler('rr'));
  // A connection that opens at `openUs` and closes at `closeUs`; returns where it went.
  const connection = (openUs: number, closeUs: number) => {
    const c = pool.choose('192.0.2.1', 1, '10.0.0.1', 80, openUs)!;
    pool.opened(c.destination);
    return { id: c.destination.id, close: () => pool.closed(c.destination, c.persistenceKey, closeUs) };
  };
  const first = connection(0, 100 * S);
  assert.equal(first.id, '10.0.0.5:80');
  // Held by the open connection: still fresh long after the timeout.
  const second = connection(90 * S, 90 * S);
  assert.equal(second.id, '10.0.0.5:80');
  second.close();
  first.close();
  // Fresh until 60 s after the last use (the close at 100 s) …
  const third = connection(159 * S, 159 * S);
  assert.equal(third.id, '10.0.0.5:80');
  third.close();
  // … then gone: the scheduler decides again (rr moves on).
  assert.equal(pick(pool, '192.0.2.1', 220 * S), '10.0.0.6:80');
});

test('a weight-0 destination loses its persistent clients (unless quiescent templates are kept)', () => {
  const dests = [dest('10.0.0.5', 80), dest('10.0.0.6', 80)];
  const inhibited = [dest('10.0.0.5', 80, 0), dest('10.0.0.6', 80)];
  for (const keep of [false, true]) {
    const svc = tcpService('10.0.0.1', 80, 'rr', dests, { persistence: { timeout: 60 } });
    const pool = new DestinationPool(svc, createScheduler('rr'), { keepQuiescentTemplates: keep });
    assert.equal(pick(pool, '192.0.2.1'), '10.0.0.5:80');
    pool.update(tcpService('10.0.0.1', 80, 'rr', inhibited, { persistence: { timeout: 60 } }));
    assert.equal(pick(pool, '192.0.2.1'), keep ? '10.0.0.5:80' : '10.0.0.6:80');
  }
});

test('a removed destination drains and is forgotten after its last connection', () => {
  const pool = new DestinationPool(tcpService('10.0.0.1', 80, 'rr', [dest('10.0.0.5', 80), dest('10.0.0.6', 80)]), createScheduler('rr'));
  const [a] = pool.listed();
  pool.opened(a!);
  pool.update(tcpService('10.0.0.1', 80, 'rr', [dest('10.0.0.6', 80)]));
  assert.deepEqual(pool.listed().map((d) => d.id), ['10.0.0.6:80']);
  assert.deepEqual([...pool.all()].map((d) => d.id).sort(), ['10.0.0.5:80', '10.0.0.6:80']);
  pool.halfClosed(a!);
  assert.deepEqual([a!.active, a!.inactive], [0, 1]);
  pool.closed(a!, undefined, 0, true);
  assert.deepEqual([...pool.all()].map((d) => d.id), ['10.0.0.6:80']);
  assert.equal(pool.connections, 1);
});
