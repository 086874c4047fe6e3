/**
 * DeadlineFifo: timeouts of one length fire in the order they were set, never before their time,
 * cancelled ones never; with nothing left its timer is gone (the process may exit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeadlineFifo } from '../../src/check/deadline-fifo.js';

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('entries expire in order, cancelled ones never, none before its deadline', async () => {
  const q = new DeadlineFifo(20);
  const fired: { n: number; early: boolean }[] = [];
  const add = (n: number): ReturnType<DeadlineFifo['add']> => {
    const due = performance.now() + 20;
    return q.add(() => fired.push({ n, early: performance.now() < due - 0.001 }));
  };
  const entries = [0, 1, 2, 3, 4].map(add);
  entries[1]!.cancel();
  entries[3]!.cancel();
  entries[3]!.cancel(); // idempotent
  assert.equal(q.pending, 3);
  await until('three expiries', () => fired.length === 3);
  assert.deepEqual(fired.map((f) => f.n), [0, 2, 4]);
  assert.deepEqual(fired.map((f) => f.early), [false, false, false]);
  assert.equal(q.pending, 0);
  entries[0]!.cancel(); // after it ran: nothing happens
  assert.equal(q.pending, 0);
});

test('added while expiring and after everything was cancelled: still served in order', async () => {
  const q = new DeadlineFifo(5);
  const fired: string[] = [];
  q.add(() => {
    fired.push('a');
    q.add(() => fired.push('c'));
  });
  q.add(() => fired.push('b'));
  await until('a, b and c', () => fired.length === 3);
  assert.deepEqual(fired, ['a', 'b', 'c']);
  const x = q.add(() => fired.push('x'));
  x.cancel();
  assert.equal(q.pending, 0);
  q.add(() => fired.push('y'));
  await until('y', () => fired.length === 4);
  assert.deepEqual(fired, ['a', 'b', 'c', 'y']);
});

test('many entries, most cancelled: the queue keeps only what is pending', async () => {
  const q = new DeadlineFifo(10);
  let fired = 0;
  const kept = new Set<number>();
  for (let i = 0; i < 5000; i++) {
    const d = q.add(() => fired++);
    if (i % 100 === 0) kept.add(i);
    else d.cancel();
  }
  assert.equal(q.pending, kept.size);
  await until('the kept entries', () => fired === kept.size);
  assert.equal(q.pending, 0);
});
