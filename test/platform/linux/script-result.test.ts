/**
 * keepalived 2.2.7's vrrp_script rise/fall counter: which results are reported, in sequence,
 * from the initial state (unknown, or down with init_fail) and across a reload.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptResultCounter } from '../../../src/platform/linux/script-result.js';

/** [run number, reported state] for each reported result. */
function reports(counter: ScriptResultCounter, results: string): [number, boolean][] {
  const out: [number, boolean][] = [];
  [...results].forEach((r, i) => {
    const rep = counter.record(r === 'S');
    if (rep !== undefined) out.push([i + 1, rep]);
  });
  return out;
}

test('rise 2 fall 3: the first result decides, then 2 successes to rise and 3 failures to fall', () => {
  const c = new ScriptResultCounter(2, 3);
  assert.equal(c.up, undefined);
  assert.equal(c.result, 1);
  assert.deepEqual(reports(c, 'FSSSFFFSFSS'), [
    [1, false],
    [3, true],
    [7, false],
    [11, true],
  ]);
  assert.equal(c.up, true);
  assert.equal(c.result, 4);
  assert.equal(c.initState, 'done');
});

test('a first success is enough without init_fail, whatever rise is', () => {
  const c = new ScriptResultCounter(5, 2);
  assert.deepEqual(reports(c, 'SSFFS'), [
    [1, true],
    [4, false],
  ]);
  assert.equal(c.up, false);
});

test('a failure between successes restarts the rise count; a success between failures restarts the fall count', () => {
  const c = new ScriptResultCounter(3, 3, { initFail: true });
  assert.deepEqual(reports(c, 'SSFSSSFFSFFF'), [
    [6, true],
    [12, false],
  ]);
});

test('init_fail: starts down, an early failure is not reported, rise successes bring it up', () => {
  const c = new ScriptResultCounter(2, 1, { initFail: true });
  assert.equal(c.up, false);
  assert.equal(c.initState, 'failed');
  assert.deepEqual(reports(c, 'FSSF'), [
    [3, true],
    [4, false],
  ]);
});

test('rise 1 fall 1 reports every change and nothing else', () => {
  const c = new ScriptResultCounter(1, 1);
  assert.deepEqual(reports(c, 'SSFFSF'), [
    [1, true],
    [3, false],
    [5, true],
    [6, false],
  ]);
});

test('reload keeps the distance from the boundary (clear_diff_script)', () => {
  const up = new ScriptResultCounter(2, 3);
  reports(up, 'SSF'); // up, one failure used: result 3 of top 4
  assert.equal(up.result, 3);
  const widened = ScriptResultCounter.afterReload(up.snapshot(), 3, 5);
  assert.equal(widened.result, 4); // rise + (3 - 2)
  assert.equal(widened.up, true);
  assert.equal(widened.initState, 'done');

  const top = new ScriptResultCounter(2, 3);
  reports(top, 'S');
  assert.equal(ScriptResultCounter.afterReload(top.snapshot(), 4, 4).result, 7);

  const down = new ScriptResultCounter(4, 1, { initFail: true });
  reports(down, 'SS'); // 2 of the 4 successes needed
  const r = ScriptResultCounter.afterReload(down.snapshot(), 3, 1);
  assert.equal(r.result, 1); // still 2 successes short
  assert.equal(r.up, false);
  assert.equal(ScriptResultCounter.afterReload(down.snapshot(), 1, 1).result, 0);

  const fresh = new ScriptResultCounter(2, 2);
  const again = ScriptResultCounter.afterReload(fresh.snapshot(), 3, 1, true);
  assert.equal(again.initState, 'init');
  assert.equal(again.result, 2);
  assert.equal(again.up, undefined);
});

test('rise or fall below 1 is refused', () => {
  assert.throws(() => new ScriptResultCounter(0, 1), RangeError);
  assert.throws(() => new ScriptResultCounter(1, 0), RangeError);
});
