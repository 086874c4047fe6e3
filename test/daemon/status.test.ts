/**
 * The status API object and its table, from real cores driven through a short scenario (one
 * instance becomes MASTER on its own, one stays BACKUP behind a higher-priority peer), and the
 * snapshot taken from the engine (times converted from the cores' clock to the wall clock).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { staticHostFacts } from '../../src/config/host-facts.js';
import { loadConfigText } from '../../src/config/load.js';
import { buildStatus, formatStatusJson, renderStatusText } from '../../src/daemon/status.js';
import { formatStatsFile } from '../../src/daemon/stats-file.js';
import { snapshotEngine } from '../../src/daemon/vrrp-snapshot.js';
import { VrrpStatsBook } from '../../src/daemon/vrrp-stats.js';
import { engineFromConfig } from '../../src/vrrp/engine-from-config.js';

const CONFIG = `
vrrp_instance VI_1 {
	state BACKUP
	interface a0
	virtual_router_id 61
	priority 150
	advert_int 1
	authentication {
		auth_type PASS
		auth_pass secret12345
	}
	virtual_ipaddress {
		10.9.9.1/24
		10.9.9.2
	}
}
vrrp_instance VI_2 {
	state BACKUP
	interface a0
	virtual_router_id 62
	priority 100
	advert_int 1
	virtual_ipaddress {
		10.9.8.1/24
	}
}
`;

/** 2026-11-29T17:00:00Z in epoch µs: the wall clock when the cores' clock reads 0. */
const WALL0 = Date.UTC(2026, 10, 29, 17, 0, 0) * 1000;

function scenario() {
  const host = staticHostFacts({
    hostname: 'lb1',
    interfaces: [{ name: 'a0', index: 2, up: true, loopback: false, multicast: true, mtu: 1500, ipv4: ['10.0.0.1'], ipv6: [] }],
  });
  const loaded = loadConfigText(CONFIG, { host });
  const config = loaded.config;
  const engine = engineFromConfig(config);
  let now = 0;
  const book = new VrrpStatsBook({ wallClockUs: () => WALL0 + now, stateOf: (n) => engine.instance(n).state });
  book.recordActions(engine.start(now, { primaryAddress: { VI_1: '10.0.0.1', VI_2: '10.0.0.1' } }));
  now = 1_000_000;
  book.recordActions(
    engine.handle('VI_2', { type: 'advert', now, advert: { source: '10.0.0.2', priority: 200, advertInterval: 1, vips: ['10.9.8.1'], version: 2 } }),
  );
  book.rejected('VI_2', 'auth_type_mismatch');
  now = 4_000_000;
  book.recordActions(engine.tick(now));
  return { config, engine, book, now };
}

describe('status', () => {
  it('the snapshot carries the cores state, with the timer on the wall clock', () => {
    const { config, engine, book, now } = scenario();
    const snap = snapshotEngine(engine, config, book, { coreNowUs: now, wallNowUs: WALL0 + now });
    const [v1, v2] = snap.instances;
    assert.equal(v1!.state, 'MASTER');
    assert.equal(v1!.vipset, true);
    assert.equal(v1!.sourceAddress, '10.0.0.1');
    // a MASTER's timer is its next advert, one advert interval after becoming master
    assert.equal(v1!.readTimeoutUs, WALL0 + now + 1_000_000);
    assert.equal(v1!.lastTransitionUs, WALL0 + now);
    assert.equal(v2!.state, 'BACKUP');
    assert.equal(v2!.masterAddress, '10.0.0.2');
    assert.equal(v2!.masterPriority, 200);
    // BACKUP: master down interval 3 s + skew (256 - 100) / 256 s after the advert at 1 s
    assert.equal(v2!.readTimeoutUs, WALL0 + 1_000_000 + 3_609_375);
    assert.equal(v2!.lastTransitionUs, WALL0);
  });

  it('builds the documented object', () => {
    const { config, engine, book, now } = scenario();
    const report = buildStatus(snapshotEngine(engine, config, book, { coreNowUs: now, wallNowUs: WALL0 + now }).instances);
    const zero = {
      advertsReceived: 0, advertsSent: 0, becameMaster: 0, releasedMaster: 0, packetLengthErrors: 0, ttlErrors: 0,
      invalidTypeReceived: 0, advertIntervalErrors: 0, addressListErrors: 0, invalidAuthType: 0, authTypeMismatch: 0,
      authFailures: 0, checksumErrors: 0, versionErrors: 0, priorityZeroReceived: 0, priorityZeroSent: 0,
    };
    assert.deepEqual(report, {
      instances: [
        {
          name: 'VI_1',
          vrid: 61,
          interface: 'a0',
          state: 'MASTER',
          priority: 150,
          effectivePriority: 150,
          masterAddress: '10.0.0.1',
          vips: ['10.9.9.1/24', '10.9.9.2'],
          stats: { ...zero, advertsSent: 1, becameMaster: 1 },
          lastTransition: { at: '2026-11-29T17:00:04.000Z', from: 'BACKUP', to: 'MASTER', reason: 'master-down timer expired' },
        },
        {
          name: 'VI_2',
          vrid: 62,
          interface: 'a0',
          state: 'BACKUP',
          priority: 100,
          effectivePriority: 100,
          masterAddress: '10.0.0.2',
          vips: ['10.9.8.1/24'],
          stats: { ...zero, advertsReceived: 1, authTypeMismatch: 1 },
          lastTransition: { at: '2026-11-29T17:00:00.000Z', from: 'INIT', to: 'BACKUP', reason: 'startup' },
        },
      ],
    });
    assert.deepEqual(JSON.parse(formatStatusJson(report)), report);
    assert.ok(formatStatusJson(report).endsWith('}\n'));
    assert.ok(!formatStatusJson(report).includes('secret'));
  });

  it('renders a table with one line per instance', () => {
    const { config, engine, book, now } = scenario();
    const report = buildStatus(snapshotEngine(engine, config, book, { coreNowUs: now, wallNowUs: WALL0 + now }).instances);
    assert.equal(
      renderStatusText(report),
      'NAME  VRID  INTERFACE  STATE   PRIO  EFF  MASTER    VIPS                  LAST TRANSITION\n' +
        'VI_1  61    a0         MASTER  150   150  10.0.0.1  10.9.9.1/24,10.9.9.2  2026-11-29T17:00:04.000Z BACKUP->MASTER (master-down timer expired)\n' +
        'VI_2  62    a0         BACKUP  100   100  10.0.0.2  10.9.8.1/24           2026-11-29T17:00:00.000Z INIT->BACKUP (startup)\n',
    );
    assert.equal(renderStatusText({ instances: [] }), 'no VRRP instances\n');
  });

  it('adds a line for the majority (witness) and one per heartbeat path', () => {
    const { config, engine, book, now } = scenario();
    const report = buildStatus(snapshotEngine(engine, config, book, { coreNowUs: now, wallNowUs: WALL0 + now }).instances);
    const [vi1, vi2] = report.instances;
    const text = renderStatusText({
      instances: [
        {
          ...vi1!,
          majority: { group: 'v4/61', required: true, held: true, voters: 3, needed: 2, votingFor: '10.0.0.1', votes: [{ node: '10.0.0.2', for: '10.0.0.1', countsMs: 1830 }], witness: { lease: 2100, holder: '10.0.0.1' } },
          heartbeatPaths: [
            { interface: 'a0', peers: [], advertsReceived: 0, lastAdvertAt: null },
            { interface: 'hb0', peers: ['10.1.1.2'], advertsReceived: 7, lastAdvertAt: '2026-11-29T17:00:03.000Z' },
          ],
        },
        { ...vi2!, majority: { group: 'v4/62', required: true, held: false, voters: 3, needed: 2, votingFor: '10.0.0.2', votes: [{ node: '10.0.0.2', for: '10.0.0.2', countsMs: null }], witness: { lease: null, holder: '10.0.0.2' } } },
      ],
    });
    assert.deepEqual(text.split('\n').slice(3), [
      'MAJORITY VI_1: held, 3 of 3 votes needed 2 (peers voting for it: 10.0.0.2; witness lease 2100 ms)',
      'MAJORITY VI_2: NOT held, 1 of 3 votes needed 2 (peers voting for it: none; witness lease none (held by 10.0.0.2))',
      'PATH VI_1: a0  0 adverts received, last never',
      'PATH VI_1: hb0 to 10.1.1.2  7 adverts received, last 2026-11-29T17:00:03.000Z',
      '',
    ]);
  });

  it('the stats file of the same moment', () => {
    const { config, book } = scenario();
    const text = formatStatsFile(config.vrrp.instances.map((i) => ({ name: i.name, stats: book.stats(i.name) })));
    assert.match(text, /^VRRP Instance: VI_1\n {2}Advertisements:\n {4}Received: 0\n {4}Sent: 1\n {2}Became master: 1\n/);
    assert.match(text, /VRRP Instance: VI_2\n {2}Advertisements:\n {4}Received: 1\n/);
    assert.match(text, /VI_2[^]*Type Mismatch: 1\n/);
  });
});
