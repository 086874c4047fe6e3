/** dumpConfig(): JSON of the model, secrets masked at any depth. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpConfig } from '../../src/config/dump.js';

test('secrets are masked at any depth, only when set', () => {
  const model = {
    vrrp: { instances: [{ name: 'VI_1', auth: { type: 'PASS', authPass: 'secret1' } }] },
    lvs: { servers: new Map([['vs1', { checker: { password: 'pw', key: 'k', auth_pass: 'ap' } }]]) },
    unset: { password: undefined, key: '', authPass: null },
  };
  const out = JSON.parse(dumpConfig(model));
  assert.equal(out.vrrp.instances[0].auth.authPass, '********');
  assert.deepEqual(out.lvs.servers.vs1.checker, { password: '********', key: '********', auth_pass: '********' });
  assert.deepEqual(out.unset, { key: '', authPass: null });
  assert.ok(!/secret1|"pw"|"ap"/.test(dumpConfig(model)));
});

test('Maps, Sets and bigints become JSON; 2-space indent', () => {
  const text = dumpConfig({ m: new Map([[1, 'a']]), s: new Set(['x', 'y']), b: 18446744073709551615n, o: new Map([[{ k: 1 }, 2]]) });
  assert.deepEqual(JSON.parse(text), { m: { '1': 'a' }, s: ['x', 'y'], b: '18446744073709551615', o: [[{ k: 1 }, 2]] });
  assert.ok(text.startsWith('{\n  "m": {\n    "1": "a"\n  },'));
});

test('shared (non-circular) references are dumped each time; cycles are cut', () => {
  const shared = { a: 1 };
  const cyc: Record<string, unknown> = { name: 'c' };
  cyc['self'] = cyc;
  assert.deepEqual(JSON.parse(dumpConfig({ x: shared, y: shared, cyc })), { x: { a: 1 }, y: { a: 1 }, cyc: { name: 'c', self: '[circular]' } });
});
