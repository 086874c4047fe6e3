/**
 * diffTables: the exact operations for the seed's failure/recovery and a sorry-server takeover,
 * and the property that applying the operations to the old table yields the new one over random
 * event sequences of the LVS core.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyOperations, diffTables, type TableOperation } from '../../src/lvs/table-diff.js';
import { LvsCore, type LvsEvent } from '../../src/lvs/virtual-server.js';
import type { DesiredTable } from '../../src/lvs/table-types.js';
import { loadLvs } from './lvs-test-config.js';

const CONFIG = `
virtual_server_group G {
  10.9.9.5-6 443
}
virtual_server 10.9.9.1 80 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  quorum 2
  hysteresis 1
  sorry_server 10.0.0.99 80
  real_server 10.0.0.1 80 {
    TCP_CHECK {
    }
  }
  real_server 10.0.0.2 80 {
    inhibit_on_failure
    TCP_CHECK {
    }
  }
  real_server 10.0.0.3 80 {
    TCP_CHECK {
    }
  }
}
virtual_server group G {
  lb_algo wlc
  lb_kind NAT
  protocol TCP
  ha_suspend
  real_server 10.0.1.1 443 {
    TCP_CHECK {
    }
  }
}
`;

const brief = (ops: readonly TableOperation[]): string[] =>
  ops.map((o) => {
    switch (o.op) {
      case 'add-service':
      case 'remove-service':
        return `${o.op} ${o.service.id}`;
      case 'edit-service':
        return `${o.op} ${o.service.id} ${o.service.scheduler}`;
      case 'edit-destination':
        return `${o.op} ${o.serviceId} ${o.destination.address}:${o.destination.port} ${o.previous.weight}->${o.destination.weight}`;
      default:
        return `${o.op} ${o.serviceId} ${o.destination.address}:${o.destination.port} ${o.destination.weight}`;
    }
  });

function normalise(t: DesiredTable): unknown {
  return [...t.services]
    .map((s) => ({ ...s, destinations: [...s.destinations].sort((a, b) => `${a.address}:${a.port}`.localeCompare(`${b.address}:${b.port}`)) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

test('operations for start, a failure, quorum loss to the sorry server and the VIP arriving', () => {
  const core = new LvsCore(loadLvs(CONFIG));
  const empty: DesiredTable = { services: [] };
  const t0 = core.handle({ type: 'start' }).table;
  assert.deepEqual(brief(diffTables(empty, t0)), [
    'add-service TCP 10.9.9.1:80',
    'add-destination TCP 10.9.9.1:80 10.0.0.1:80 1',
    'add-destination TCP 10.9.9.1:80 10.0.0.2:80 1',
    'add-destination TCP 10.9.9.1:80 10.0.0.3:80 1',
  ]);
  const t1 = core.handle({ type: 'rs-alive', realServer: { virtualServer: 0, realServer: 1 }, alive: false }).table;
  assert.deepEqual(brief(diffTables(t0, t1)), ['edit-destination TCP 10.9.9.1:80 10.0.0.2:80 1->0']);
  // Live weight 1 is still ≥ 2 − 1: quorum kept.
  const t1b = core.handle({ type: 'rs-alive', realServer: { virtualServer: 0, realServer: 0 }, alive: false }).table;
  assert.deepEqual(brief(diffTables(t1, t1b)), ['remove-destination TCP 10.9.9.1:80 10.0.0.1:80 1']);
  // Live weight 0: quorum lost; the sorry server is added before the last real server goes.
  const t2 = core.handle({ type: 'rs-alive', realServer: { virtualServer: 0, realServer: 2 }, alive: false }).table;
  assert.deepEqual(brief(diffTables(t1b, t2)), [
    'add-destination TCP 10.9.9.1:80 10.0.0.99:80 1',
    'remove-destination TCP 10.9.9.1:80 10.0.0.3:80 1',
  ]);
  const t3 = core.handle({ type: 'vip-present', address: '10.9.9.6', present: true }).table;
  assert.deepEqual(brief(diffTables(t2, t3)), [
    'add-service TCP 10.9.9.5:443',
    'add-destination TCP 10.9.9.5:443 10.0.1.1:443 1',
    'add-service TCP 10.9.9.6:443',
    'add-destination TCP 10.9.9.6:443 10.0.1.1:443 1',
  ]);
  const t4 = core.handle({ type: 'stop' }).table;
  assert.deepEqual(brief(diffTables(t3, t4)), ['remove-service TCP 10.9.9.1:80', 'remove-service TCP 10.9.9.5:443', 'remove-service TCP 10.9.9.6:443']);
  assert.deepEqual(diffTables(t3, t3), []);
});

test('service attribute changes are edits', () => {
  const a: DesiredTable = { services: [{ id: 'TCP 1.1.1.1:80', key: { kind: 'address', family: 'inet', address: '1.1.1.1', port: 80, protocol: 'TCP' }, scheduler: 'rr', flags: [], destinations: [] }] };
  const b: DesiredTable = { services: [{ ...a.services[0]!, scheduler: 'wrr', persistence: { timeout: 60 } }] };
  assert.deepEqual(brief(diffTables(a, b)), ['edit-service TCP 1.1.1.1:80 wrr']);
});

test('property: applying diffTables(old, new) to old yields new', () => {
  const event = fc.oneof(
    fc.record({ type: fc.constant('rs-alive' as const), realServer: fc.oneof(fc.record({ virtualServer: fc.constant(0), realServer: fc.integer({ min: 0, max: 2 }) }), fc.record({ virtualServer: fc.constant(1), realServer: fc.constant(0) })), alive: fc.boolean() }),
    fc.record({ type: fc.constant('rs-weight' as const), realServer: fc.record({ virtualServer: fc.constant(0), realServer: fc.integer({ min: 0, max: 2 }) }), weight: fc.integer({ min: -2, max: 5 }) }),
    fc.record({ type: fc.constant('vip-present' as const), address: fc.constantFrom('10.9.9.5', '10.9.9.6'), present: fc.boolean() }),
  );
  const config = loadLvs(CONFIG);
  fc.assert(
    fc.property(fc.array(event, { maxLength: 25 }), (events) => {
      const core = new LvsCore(config);
      let table: DesiredTable = { services: [] };
      for (const e of [{ type: 'start' } as LvsEvent, ...events, { type: 'stop' } as LvsEvent]) {
        const next = core.handle(e).table;
        assert.deepEqual(normalise(applyOperations(table, diffTables(table, next))), normalise(next));
        table = next;
      }
      assert.deepEqual(table.services, []);
    }),
    { numRuns: 200 },
  );
});
