/**
 * The virtual server core against keepalived 2.2.7's ipwrapper.c behaviour: the desired table
 * after each event, the exact log lines, notify argv and FIFO lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LvsCore, type LvsEvent } from '../../src/lvs/virtual-server.js';
import type { DesiredTable } from '../../src/lvs/table-types.js';
import { fifo, loadLvs, logs, notifies } from './lvs-test-config.js';

const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../test/fixtures');

const rs = (realServer: number, virtualServer = 0) => ({ virtualServer, realServer });
const alive = (n: number, up: boolean, weight?: number): LvsEvent => ({ type: 'rs-alive', realServer: rs(n), alive: up, ...(weight !== undefined ? { weight } : {}) });

/** The table in ipvsadm-like lines: "TCP 10.0.0.1:80 rr" then "  -> 10.0.0.5:80 Route 1". */
function show(table: DesiredTable): string[] {
  const fwd = { NAT: 'Masq', DR: 'Route', TUN: 'Tunnel' } as const;
  return table.services.flatMap((s) => [
    `${s.id} ${s.scheduler}${s.flags.length ? ` ${s.flags.join(',')}` : ''}${s.persistence ? ` persistent ${s.persistence.timeout}${s.persistence.granularity !== undefined ? ` mask ${s.persistence.granularity}` : ''}` : ''}`,
    ...s.destinations.map((d) => `  -> ${d.family === 'inet6' ? `[${d.address}]` : d.address}:${d.port} ${fwd[d.forwarding]} ${d.weight}${d.sorry ? ' sorry' : ''}`),
  ]);
}

test('seed director: the table at start, a real server removed after its checks fail and re-added', () => {
  const config = loadLvs(fs.readFileSync(path.join(fixtures, 'seed/director-master.conf'), 'utf8'));
  const core = new LvsCore(config);
  const start = core.handle({ type: 'start' });
  assert.deepEqual(show(start.table), ['TCP 192.168.10.200:80 rr', '  -> 192.168.10.133:80 Route 1', '  -> 192.168.10.134:80 Route 1']);
  // set_quorum_states() ran before any real server was alive: the quorum is gained at init
  assert.deepEqual(start.actions, [
    { type: 'log', message: 'Gained quorum 1+0=1 <= 2 for VS [192.168.10.200]:tcp:80' },
    { type: 'fifo', line: 'VS [192.168.10.200]:tcp:80 UP\n' },
  ]);
  const down = core.handle(alive(0, false));
  assert.deepEqual(logs(down.actions), ['Removing service [192.168.10.133]:tcp:80 from VS [192.168.10.200]:tcp:80']);
  assert.deepEqual(fifo(down.actions), ['RS [192.168.10.133]:tcp:80 [192.168.10.200]:tcp:80 DOWN\n']);
  assert.deepEqual(show(down.table), ['TCP 192.168.10.200:80 rr', '  -> 192.168.10.134:80 Route 1']);
  const up = core.handle(alive(0, true));
  assert.deepEqual(logs(up.actions), ['Adding service [192.168.10.133]:tcp:80 to VS [192.168.10.200]:tcp:80']);
  assert.deepEqual(fifo(up.actions), ['RS [192.168.10.133]:tcp:80 [192.168.10.200]:tcp:80 UP\n']);
  assert.deepEqual(show(up.table), show(start.table).slice(0, 1).concat(['  -> 192.168.10.134:80 Route 1', '  -> 192.168.10.133:80 Route 1']));
  // A repeated verdict changes nothing.
  assert.deepEqual(core.handle(alive(0, true)).actions, []);
});

const QUORUM = `
virtual_server 10.9.9.1 80 {
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  persistence_timeout 900
  persistence_granularity 255.255.255.0
  alpha
  quorum 3
  hysteresis 1
  quorum_up "/bin/qup.sh up"
  quorum_down "/bin/qdown.sh down 'two words'"
  sorry_server 10.0.0.99 8080
  real_server 10.0.0.1 8080 {
    notify_up "/bin/up.sh 10.0.0.1 up"
    notify_down "/bin/down.sh 10.0.0.1"
    TCP_CHECK {
    }
  }
  real_server 10.0.0.2 8080 {
    TCP_CHECK {
    }
  }
  real_server 10.0.0.3 8080 {
    TCP_CHECK {
    }
  }
  real_server 10.0.0.4 8080 {
    TCP_CHECK {
    }
  }
}
`;

test('quorum with hysteresis and a sorry server: alpha start, gain at quorum+hysteresis, loss below quorum−hysteresis', () => {
  const core = new LvsCore(loadLvs(QUORUM));
  const VS = '[10.9.9.1]:tcp:80';
  const start = core.handle({ type: 'start' });
  assert.deepEqual(logs(start.actions), [
    // keepalived prints quorum-hysteresis but the threshold it uses while down: quorum+hysteresis
    `Starting with quorum down 3-1=4 > 0 for VS ${VS}`,
    `Adding sorry server [10.0.0.99]:tcp:8080 to VS ${VS}`,
    `Removing alive servers from the pool for VS ${VS}`,
  ]);
  assert.deepEqual(notifies(start.actions), [['quorum_down', '/bin/qdown.sh', 'down', 'two words']]);
  assert.deepEqual(fifo(start.actions), [`VS ${VS} DOWN\n`]);
  assert.deepEqual(show(start.table), ['TCP 10.9.9.1:80 wrr persistent 900 mask 255.255.255.0', '  -> 10.0.0.99:8080 Masq 1 sorry']);

  const first = core.handle(alive(0, true));
  assert.deepEqual(logs(first.actions), [`Adding service [10.0.0.1]:tcp:8080 to VS ${VS}`]);
  assert.deepEqual(notifies(first.actions), [['notify_up', '/bin/up.sh', '10.0.0.1', 'up']]);
  assert.deepEqual(fifo(first.actions), [`RS [10.0.0.1]:tcp:8080 ${VS} UP\n`]);
  // Still below quorum + hysteresis (4): the sorry server keeps serving alone.
  assert.deepEqual(show(first.table).slice(1), ['  -> 10.0.0.99:8080 Masq 1 sorry']);
  core.handle(alive(1, true));
  assert.deepEqual(show(core.handle(alive(2, true)).table).slice(1), ['  -> 10.0.0.99:8080 Masq 1 sorry']);
  const gained = core.handle(alive(3, true));
  assert.deepEqual(logs(gained.actions), [
    `Adding service [10.0.0.4]:tcp:8080 to VS ${VS}`,
    `Gained quorum 3+1=4 <= 4 for VS ${VS}`,
    `Removing sorry server [10.0.0.99]:tcp:8080 from VS ${VS}`,
    `Adding alive servers to the pool for VS ${VS}`,
  ]);
  assert.deepEqual(notifies(gained.actions), [['quorum_up', '/bin/qup.sh', 'up']]);
  assert.deepEqual(fifo(gained.actions), [`RS [10.0.0.4]:tcp:8080 ${VS} UP\n`, `VS ${VS} UP\n`]);
  assert.deepEqual(show(gained.table).slice(1), ['  -> 10.0.0.1:8080 Masq 1', '  -> 10.0.0.2:8080 Masq 1', '  -> 10.0.0.3:8080 Masq 1', '  -> 10.0.0.4:8080 Masq 1']);

  // Losing two keeps the quorum (2 ≥ 3−1); the third loss drops it.
  assert.deepEqual(logs(core.handle(alive(3, false)).actions), [`Removing service [10.0.0.4]:tcp:8080 from VS ${VS}`]);
  assert.deepEqual(logs(core.handle(alive(2, false)).actions), [`Removing service [10.0.0.3]:tcp:8080 from VS ${VS}`]);
  const lost = core.handle(alive(1, false));
  assert.deepEqual(logs(lost.actions), [
    `Removing service [10.0.0.2]:tcp:8080 from VS ${VS}`,
    `Lost quorum 3-1=2 > 1 for VS ${VS}`,
    `Adding sorry server [10.0.0.99]:tcp:8080 to VS ${VS}`,
    `Removing alive servers from the pool for VS ${VS}`,
  ]);
  assert.deepEqual(show(lost.table).slice(1), ['  -> 10.0.0.99:8080 Masq 1 sorry']);
  assert.deepEqual(fifo(lost.actions), [`RS [10.0.0.2]:tcp:8080 ${VS} DOWN\n`, `VS ${VS} DOWN\n`]);
  // While the sorry server serves, a real server going down is only bookkeeping.
  const quiet = core.handle(alive(0, false));
  assert.deepEqual(notifies(quiet.actions), [['notify_down', '/bin/down.sh', '10.0.0.1']]);
  assert.deepEqual(show(quiet.table).slice(1), ['  -> 10.0.0.99:8080 Masq 1 sorry']);
  assert.equal(core.quorumUp(0), false);
});

test('sorry_server_inhibit: present at weight 0, enabled on loss, disabled on gain', () => {
  const core = new LvsCore(loadLvs(`
virtual_server 10.9.9.1 80 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  sorry_server 10.0.0.99 80
  sorry_server_inhibit
  real_server 10.0.0.1 80 {
    TCP_CHECK {
    }
  }
}
`));
  const VS = '[10.9.9.1]:tcp:80';
  assert.deepEqual(show(core.handle({ type: 'start' }).table).slice(1), ['  -> 10.0.0.1:80 Route 1', '  -> 10.0.0.99:80 Route 0 sorry']);
  const lost = core.handle(alive(0, false));
  assert.deepEqual(logs(lost.actions), [
    `Removing service [10.0.0.1]:tcp:80 from VS ${VS}`,
    `Lost quorum 1-0=1 > 0 for VS ${VS}`,
    `Enabling sorry server [10.0.0.99]:tcp:80 to VS ${VS}`,
    `Removing alive servers from the pool for VS ${VS}`,
  ]);
  assert.deepEqual(show(lost.table).slice(1), ['  -> 10.0.0.99:80 Route 1 sorry']);
  const gained = core.handle(alive(0, true));
  assert.deepEqual(logs(gained.actions), [
    `Adding service [10.0.0.1]:tcp:80 to VS ${VS}`,
    `Gained quorum 1+0=1 <= 1 for VS ${VS}`,
    `Disabling sorry server [10.0.0.99]:tcp:80 from VS ${VS}`,
    `Adding alive servers to the pool for VS ${VS}`,
  ]);
  assert.deepEqual(show(gained.table).slice(1), ['  -> 10.0.0.99:80 Route 0 sorry', '  -> 10.0.0.1:80 Route 1']);
});

test('sorry server without inhibit: the real servers leave and come back', () => {
  const core = new LvsCore(loadLvs(`
virtual_server 10.9.9.1 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  sorry_server 10.0.0.99 80
  real_server 10.0.0.1 80 {
    TCP_CHECK {
    }
  }
  real_server 10.0.0.2 80 {
    weight 2
    TCP_CHECK {
    }
  }
}
`));
  core.handle({ type: 'start' });
  assert.deepEqual(show(core.handle(alive(1, false)).table).slice(1), ['  -> 10.0.0.1:80 Masq 1']);
  assert.deepEqual(show(core.handle(alive(0, false)).table).slice(1), ['  -> 10.0.0.99:80 Masq 1 sorry']);
  assert.deepEqual(show(core.handle(alive(1, true)).table).slice(1), ['  -> 10.0.0.2:80 Masq 2']);
});

test('inhibit_on_failure: weight 0 instead of removal, keepalived wording', () => {
  const core = new LvsCore(loadLvs(`
virtual_server 10.9.9.1 80 {
  lb_algo wlc
  lb_kind DR
  protocol TCP
  real_server 10.0.0.1 80 {
    weight 3
    inhibit_on_failure
    TCP_CHECK {
    }
  }
  real_server 10.0.0.2 80 {
    TCP_CHECK {
    }
  }
}
`));
  const VS = '[10.9.9.1]:tcp:80';
  core.handle({ type: 'start' });
  const down = core.handle(alive(0, false));
  assert.deepEqual(logs(down.actions), [`Disabling service [10.0.0.1]:tcp:80 of VS ${VS}`]);
  assert.deepEqual(show(down.table).slice(1), ['  -> 10.0.0.1:80 Route 0', '  -> 10.0.0.2:80 Route 1']);
  const up = core.handle(alive(0, true));
  assert.deepEqual(logs(up.actions), [`Enabling service [10.0.0.1]:tcp:80 of VS ${VS}`]);
  assert.deepEqual(show(up.table).slice(1), ['  -> 10.0.0.1:80 Route 3', '  -> 10.0.0.2:80 Route 1']);
});

test('alpha + inhibit: installed at weight 0 from the start; first failed check notifies DOWN', () => {
  const core = new LvsCore(loadLvs(`
virtual_server 10.9.9.1 80 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  alpha
  inhibit_on_failure
  real_server 10.0.0.1 80 {
    notify_down /bin/down.sh
    TCP_CHECK {
    }
  }
}
`));
  const start = core.handle({ type: 'start' });
  assert.deepEqual(show(start.table).slice(1), ['  -> 10.0.0.1:80 Route 0']);
  // the quorum starts down (set_quorum_states) and stays down quietly: no sorry server to bring in
  assert.deepEqual(logs(start.actions), []);
  const first = core.handle(alive(0, false));
  assert.deepEqual(notifies(first.actions), [['notify_down', '/bin/down.sh']]);
  assert.deepEqual(fifo(first.actions), ['RS [10.0.0.1]:tcp:80 [10.9.9.1]:tcp:80 DOWN\n']);
  assert.deepEqual(core.handle(alive(0, false)).actions, []);
});

test('dynamic weights: misc_dynamic / FILE_CHECK changes edit the destination and the quorum', () => {
  const core = new LvsCore(loadLvs(`
virtual_server 10.9.9.1 80 {
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  quorum 2
  real_server 10.0.0.1 80 {
    weight 2
    MISC_CHECK {
      misc_path /bin/up.sh
      misc_dynamic
    }
  }
}
`));
  const VS = '[10.9.9.1]:tcp:80';
  core.handle({ type: 'start' });
  const w = core.handle({ type: 'rs-weight', realServer: rs(0), weight: 5 });
  assert.deepEqual(logs(w.actions), [`Changing weight from 2 to 5 for active service [10.0.0.1]:tcp:80 of VS ${VS}`]);
  assert.deepEqual(show(w.table).slice(1), ['  -> 10.0.0.1:80 Masq 5']);
  const low = core.handle({ type: 'rs-weight', realServer: rs(0), weight: 1 });
  assert.deepEqual(logs(low.actions), [`Changing weight from 5 to 1 for active service [10.0.0.1]:tcp:80 of VS ${VS}`, `Lost quorum 2-0=2 > 1 for VS ${VS}`]);
  assert.deepEqual(fifo(low.actions), [`VS ${VS} DOWN\n`]);
  // Without a sorry server the real server stays in the pool.
  assert.deepEqual(show(low.table).slice(1), ['  -> 10.0.0.1:80 Masq 1']);
  const neg = core.handle({ type: 'rs-weight', realServer: rs(0), weight: -3 });
  assert.deepEqual(show(neg.table).slice(1), ['  -> 10.0.0.1:80 Masq 0']);
});

test('virtual_server_group: ranges and fwmarks expand to one service each', () => {
  const core = new LvsCore(loadLvs(`
virtual_server_group WEB {
  10.9.9.1-3 80
  fwmark 5
}
virtual_server group WEB {
  lb_algo sh
  lb_kind DR
  protocol TCP
  sh-port
  real_server 10.0.0.1 80 {
    TCP_CHECK {
    }
  }
}
`));
  const start = core.handle({ type: 'start' });
  assert.deepEqual(show(start.table), [
    'TCP 10.9.9.1:80 sh sh-port',
    '  -> 10.0.0.1:80 Route 1',
    'TCP 10.9.9.2:80 sh sh-port',
    '  -> 10.0.0.1:80 Route 1',
    'TCP 10.9.9.3:80 sh sh-port',
    '  -> 10.0.0.1:80 Route 1',
    'FWM 5 sh sh-port',
    '  -> 10.0.0.1:0 Route 1',
  ]);
  const down = core.handle(alive(0, false));
  assert.deepEqual(logs(down.actions), ['Removing service [10.0.0.1]:tcp:80 from VS [WEB]:0', 'Lost quorum 1-0=1 > 0 for VS [WEB]:0']);
  assert.deepEqual(fifo(down.actions), ['RS [10.0.0.1]:tcp:80 [WEB]:0 DOWN\n', 'VS [WEB]:0 DOWN\n']);
  assert.ok(down.table.services.every((s) => s.destinations.length === 0));
});

test('fwmark and IPv6 services', () => {
  const core = new LvsCore(loadLvs(`
virtual_server fwmark 7 {
  lb_algo rr
  lb_kind NAT
  real_server 10.0.0.1 8080 {
    TCP_CHECK {
    }
  }
}
virtual_server 2001:db8::1 443 {
  lb_algo mh
  lb_kind DR
  protocol TCP
  real_server 2001:db8::10 443 {
    TCP_CHECK {
    }
  }
}
`));
  assert.deepEqual(show(core.handle({ type: 'start' }).table), ['FWM 7 rr', '  -> 10.0.0.1:8080 Masq 1', 'TCP [2001:db8::1]:443 mh', '  -> [2001:db8::10]:443 Route 1']);
  assert.deepEqual(fifo(core.handle({ type: 'rs-alive', realServer: rs(0, 0), alive: false }).actions), ['RS [10.0.0.1]:none:8080 FWM 7 DOWN\n', 'VS FWM 7 DOWN\n']);
});

test('ha_suspend: no service and paused checks while the VIP is not local', () => {
  const core = new LvsCore(loadLvs(`
virtual_server 10.9.9.1 80 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  ha_suspend
  real_server 10.0.0.1 80 {
    TCP_CHECK {
    }
  }
}
`));
  const start = core.handle({ type: 'start', localAddresses: ['10.9.9.2'] });
  assert.deepEqual(start.table.services, []);
  assert.deepEqual(start.actions, [
    { type: 'checkers', virtualServer: 0, enabled: false },
    { type: 'log', message: 'Gained quorum 1+0=1 <= 1 for VS [10.9.9.1]:tcp:80' },
    { type: 'fifo', line: 'VS [10.9.9.1]:tcp:80 UP\n' },
  ]);
  const here = core.handle({ type: 'vip-present', address: '10.9.9.1', present: true });
  assert.deepEqual(logs(here.actions), ['Activating healthchecker for service [10.0.0.1]:tcp:80 for VS [10.9.9.1]:tcp:80']);
  assert.deepEqual(here.actions.at(-1), { type: 'checkers', virtualServer: 0, enabled: true });
  assert.deepEqual(show(here.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 1']);
  assert.deepEqual(core.handle({ type: 'vip-present', address: '10.9.9.7', present: true }).actions, []);
  const gone = core.handle({ type: 'vip-present', address: '10.9.9.1', present: false });
  assert.deepEqual(logs(gone.actions), ['Suspending healthchecker for service [10.0.0.1]:tcp:80 for VS [10.9.9.1]:tcp:80']);
  assert.deepEqual(gone.table.services, []);
  const started = new LvsCore(loadLvs(`
virtual_server 10.9.9.1 80 {
  protocol TCP
  lb_algo rr
  lb_kind DR
  ha_suspend
  real_server 10.0.0.1 80 {
  }
}
`)).handle({ type: 'start', localAddresses: ['10.9.9.1'] });
  assert.equal(started.table.services.length, 1);
});

test('stop: omega runs notify_down and quorum_down (stopping), without omega only the logs', () => {
  const text = (omega: string) => `
virtual_server 10.9.9.1 80 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  ${omega}
  quorum_down /bin/qdown.sh
  real_server 10.0.0.1 80 {
    notify_down "/bin/down.sh 10.0.0.1"
    TCP_CHECK {
    }
  }
  real_server 10.0.0.2 80 {
    inhibit_on_failure
    TCP_CHECK {
    }
  }
}
`;
  const VS = '[10.9.9.1]:tcp:80';
  const omega = new LvsCore(loadLvs(text('omega')));
  omega.handle({ type: 'start' });
  omega.handle(alive(1, false));
  const stop = omega.handle({ type: 'stop' });
  assert.deepEqual(logs(stop.actions), [`Shutting down service [10.0.0.1]:tcp:80 from VS ${VS}`, `Shutting down (inhibited) service [10.0.0.2]:tcp:80 from VS ${VS}`]);
  assert.deepEqual(notifies(stop.actions), [
    ['notify_down', '/bin/down.sh', '10.0.0.1', '(stopping)'],
    ['quorum_down', '/bin/qdown.sh', '(stopping)'],
  ]);
  assert.deepEqual(fifo(stop.actions), [`RS [10.0.0.1]:tcp:80 ${VS} DOWN\n`, `VS ${VS} DOWN\n`]);
  assert.deepEqual(stop.table.services, []);
  const plain = new LvsCore(loadLvs(text('')));
  plain.handle({ type: 'start' });
  const quiet = plain.handle({ type: 'stop' });
  assert.deepEqual(notifies(quiet.actions), []);
  assert.deepEqual(fifo(quiet.actions), []);
  assert.deepEqual(quiet.table.services, []);
  // Events after stop are ignored.
  assert.deepEqual(plain.handle(alive(0, true)).actions, []);
});

test('bad events are counted and reported, never thrown', () => {
  const core = new LvsCore(loadLvs(fs.readFileSync(path.join(fixtures, 'seed/director-master.conf'), 'utf8')));
  core.handle({ type: 'start' });
  const r = core.handle({ type: 'rs-alive', realServer: { virtualServer: 4, realServer: 0 }, alive: false });
  assert.deepEqual(logs(r.actions), ['LVS event for unknown real server 4/0 ignored']);
  assert.equal(core.errors, 1);
  assert.equal(r.table.services[0]!.destinations.length, 2);
});

test('corpus samples: golden desired tables at start', () => {
  const goldenDir = path.join(fixtures, 'lvs-tables');
  const names = fs.readdirSync(path.join(fixtures, 'corpus')).filter((n) => n.startsWith('keepalived.conf.')).sort();
  const produced: Record<string, string[]> = {};
  for (const name of names) {
    const config = loadLvs(fs.readFileSync(path.join(fixtures, 'corpus', name), 'utf8'));
    if (config.lvs.virtualServers.length === 0) continue;
    produced[name] = show(new LvsCore(config).handle({ type: 'start' }).table);
  }
  const goldenFile = path.join(goldenDir, 'corpus-start.json');
  if (process.env['UPDATE_GOLDEN']) {
    fs.mkdirSync(goldenDir, { recursive: true });
    fs.writeFileSync(goldenFile, `${JSON.stringify(produced, null, 2)}\n`);
  }
  assert.deepEqual(produced, JSON.parse(fs.readFileSync(goldenFile, 'utf8')));
});
