/**
 * The virtual server core's reload against keepalived 2.2.7's reload path (check_daemon.c:
 * clear_diff_services, check_new_rs_state, init_services; ipwrapper.c): exact log lines, notify
 * argv, FIFO lines and the desired table after a SIGHUP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LvsCore, type LvsEvent, type RealServerRef } from '../../src/lvs/virtual-server.js';
import type { DesiredTable } from '../../src/lvs/table-types.js';
import { fifo, loadLvs, logs, notifies } from './lvs-test-config.js';

const rs = (realServer: number, virtualServer = 0): RealServerRef => ({ virtualServer, realServer });
const alive = (n: number, up: boolean, virtualServer = 0): LvsEvent => ({ type: 'rs-alive', realServer: rs(n, virtualServer), alive: up });

/** The table in ipvsadm-like lines: "TCP 10.0.0.1:80 rr" then "  -> 10.0.0.5:80 Route 1". */
function show(table: DesiredTable): string[] {
  const fwd = { NAT: 'Masq', DR: 'Route', TUN: 'Tunnel' } as const;
  return table.services.flatMap((s) => [
    `${s.id} ${s.scheduler}${s.flags.length ? ` ${s.flags.join(',')}` : ''}${s.persistence ? ` persistent ${s.persistence.timeout}` : ''}`,
    ...s.destinations.map((d) => `  -> ${d.address}:${d.port} ${fwd[d.forwarding]} ${d.weight}${d.sorry ? ' sorry' : ''}`),
  ]);
}

/** A virtual server block; `body` goes after the common settings. */
function vs(address: string, body: string, settings = 'lb_algo rr\n  lb_kind DR'): string {
  return `
virtual_server ${address} 80 {
  ${settings}
  protocol TCP
${body}
}
`;
}

function real(address: string, extra = '', checker = 'TCP_CHECK {\n    }'): string {
  return `  real_server ${address} 80 {
    ${extra}
    ${checker}
  }
`;
}

const V1 = '[10.9.9.1]:tcp:80';
const V2 = '[10.9.9.2]:tcp:80';

test('unchanged config: nothing is redone, the table stays, the new core keeps reacting', () => {
  const text = vs(
    '10.9.9.1',
    `  quorum_up /bin/qup.sh
  quorum_down /bin/qdown.sh
  sorry_server 10.0.0.99 80
${real('10.0.0.1', 'notify_up /bin/up.sh')}${real('10.0.0.2')}${real('10.0.0.3', 'inhibit_on_failure')}`,
  );
  const core = new LvsCore(loadLvs(text));
  core.handle({ type: 'start' });
  core.handle(alive(1, false));
  const before = core.handle(alive(2, false));
  assert.deepEqual(show(before.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 1', '  -> 10.0.0.3:80 Route 0']);

  const reload = core.handle({ type: 'reload', config: loadLvs(text), failed: [rs(1), rs(2)] });
  assert.deepEqual(reload.actions, []);
  assert.deepEqual(show(reload.table), show(before.table));
  assert.equal(core.quorumUp(0), true);

  // The carried-over state is the new core's: a failed server coming back is an addition, not a first verdict.
  const back = core.handle(alive(1, true));
  assert.deepEqual(logs(back.actions), [`Adding service [10.0.0.2]:tcp:80 to VS ${V1}`]);
  assert.deepEqual(fifo(back.actions), [`RS [10.0.0.2]:tcp:80 ${V1} UP\n`]);
  assert.deepEqual(core.handle(alive(0, true)).actions, []);
});

test('unchanged config while the sorry server serves: quorum stays down, no quorum_down again', () => {
  const text = vs(
    '10.9.9.1',
    `  alpha
  quorum_down /bin/qdown.sh
  sorry_server 10.0.0.99 80
${real('10.0.0.1')}${real('10.0.0.2')}`,
  );
  const core = new LvsCore(loadLvs(text));
  const start = core.handle({ type: 'start' });
  assert.deepEqual(show(start.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.99:80 Route 1 sorry']);
  const reload = core.handle({ type: 'reload', config: loadLvs(text), failed: [rs(0), rs(1)] });
  assert.deepEqual(reload.actions, []);
  assert.deepEqual(show(reload.table), show(start.table));
  assert.equal(core.quorumUp(0), false);
  // Quorum comes back through the carried sorry server.
  const gained = core.handle(alive(0, true));
  assert.deepEqual(logs(gained.actions), [
    `Adding service [10.0.0.1]:tcp:80 to VS ${V1}`,
    `Gained quorum 1+0=1 <= 1 for VS ${V1}`,
    `Removing sorry server [10.0.0.99]:tcp:80 from VS ${V1}`,
    `Adding alive servers to the pool for VS ${V1}`,
  ]);
  assert.deepEqual(show(gained.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 1']);
});

test('virtual server removed: its real servers leave with notify_down, quorum_down runs, omega or not', () => {
  const keep = vs('10.9.9.1', real('10.0.0.1'));
  const removed = (omega: string) =>
    vs(
      '10.9.9.2',
      `  ${omega}
  quorum_down "/bin/qdown.sh 10.9.9.2"
${real('10.0.0.5', 'notify_down "/bin/down.sh 10.0.0.5"')}${real('10.0.0.6', 'notify_down /bin/down.sh')}${real('10.0.0.7', 'inhibit_on_failure')}`,
    );
  for (const omega of ['omega', '']) {
    const core = new LvsCore(loadLvs(keep + removed(omega)));
    core.handle({ type: 'start' });
    core.handle(alive(1, false, 1));
    core.handle(alive(2, false, 1));
    const reload = core.handle({ type: 'reload', config: loadLvs(keep) });
    assert.deepEqual(logs(reload.actions), [
      `Removing Virtual Server ${V2}`,
      `Removing service [10.0.0.5]:tcp:80 from VS ${V2}`,
      `Removing (inhibited) service [10.0.0.7]:tcp:80 from VS ${V2}`,
    ], omega);
    // stopping = false: omega only matters at shutdown (clear_service_rs / do_vs_notifies).
    assert.deepEqual(notifies(reload.actions), [
      ['notify_down', '/bin/down.sh', '10.0.0.5'],
      ['quorum_down', '/bin/qdown.sh', '10.9.9.2'],
    ], omega);
    assert.deepEqual(fifo(reload.actions), [`RS [10.0.0.5]:tcp:80 ${V2} DOWN\n`, `VS ${V2} DOWN\n`], omega);
    assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 1']);
  }
});

test('virtual server removed while its quorum is already down: no second quorum_down; the active sorry server goes quietly', () => {
  const keep = vs('10.9.9.1', real('10.0.0.1'));
  const core = new LvsCore(
    loadLvs(keep + vs('10.9.9.2', `  quorum_down /bin/qdown.sh\n  sorry_server 10.0.0.99 80\n${real('10.0.0.5', 'notify_down /bin/down.sh')}`)),
  );
  core.handle({ type: 'start' });
  const lost = core.handle(alive(0, false, 1));
  assert.deepEqual(notifies(lost.actions), [['notify_down', '/bin/down.sh'], ['quorum_down', '/bin/qdown.sh']]);
  const reload = core.handle({ type: 'reload', config: loadLvs(keep), failed: [] });
  assert.deepEqual(reload.actions, [{ type: 'log', message: `Removing Virtual Server ${V2}` }]);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 1']);
});

test('virtual server removed with lvs_flush_on_stop: only the log (the kernel drops the destinations)', () => {
  const keep = vs('10.9.9.1', real('10.0.0.1'));
  const gone = vs('10.9.9.2', `  quorum_down /bin/qdown.sh\n${real('10.0.0.5', 'notify_down /bin/down.sh')}`);
  const core = new LvsCore(loadLvs(keep + gone));
  core.handle({ type: 'start' });
  const reload = core.handle({ type: 'reload', config: loadLvs(`global_defs {\n  lvs_flush_on_stop\n}\n${keep}`) });
  assert.deepEqual(reload.actions, [{ type: 'log', message: `Removing Virtual Server ${V2}` }]);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 1']);
});

test('real servers removed while alive, while down and while inhibited', () => {
  const servers = (all: boolean) =>
    vs(
      '10.9.9.1',
      `  quorum_down /bin/qdown.sh
${all ? real('10.0.0.1', 'notify_down "/bin/down.sh 1"') + real('10.0.0.2', 'notify_down "/bin/down.sh 2"') + real('10.0.0.3', 'inhibit_on_failure') : ''}${real('10.0.0.4')}`,
    );
  const core = new LvsCore(loadLvs(servers(true)));
  core.handle({ type: 'start' });
  core.handle(alive(1, false));
  core.handle(alive(2, false));
  const reload = core.handle({ type: 'reload', config: loadLvs(servers(false)) });
  assert.deepEqual(logs(reload.actions), [
    `service [10.0.0.1]:tcp:80 no longer exist`,
    `Removing service [10.0.0.1]:tcp:80 from VS ${V1}`,
    `service [10.0.0.2]:tcp:80 no longer exist`,
    `service [10.0.0.3]:tcp:80 no longer exist`,
    `Removing (inhibited) service [10.0.0.3]:tcp:80 from VS ${V1}`,
  ]);
  assert.deepEqual(notifies(reload.actions), [['notify_down', '/bin/down.sh', '1']]);
  assert.deepEqual(fifo(reload.actions), [`RS [10.0.0.1]:tcp:80 ${V1} DOWN\n`]);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.4:80 Route 1']);
  assert.equal(core.quorumUp(0), true);
});

test('removing the last alive real server drops the quorum of the old virtual server; init then reports the new one down', () => {
  const text = (both: boolean) =>
    vs('10.9.9.1', `  quorum_up /bin/qup.sh\n  quorum_down /bin/qdown.sh\n${both ? real('10.0.0.1') : ''}${real('10.0.0.2')}`);
  const core = new LvsCore(loadLvs(text(true)));
  core.handle({ type: 'start' });
  core.handle(alive(1, false));
  const reload = core.handle({ type: 'reload', config: loadLvs(text(false)), failed: [rs(0)] });
  // update_vs_notifies(old) reports quorum down, but the new virtual server had already copied
  // "up"; update_quorum_state(new, init) then reports it down a second time.
  assert.deepEqual(logs(reload.actions), [
    `service [10.0.0.1]:tcp:80 no longer exist`,
    `Removing service [10.0.0.1]:tcp:80 from VS ${V1}`,
    `Starting with quorum down 1-0=1 > 0 for VS ${V1}`,
  ]);
  assert.deepEqual(notifies(reload.actions), [['quorum_down', '/bin/qdown.sh'], ['quorum_down', '/bin/qdown.sh']]);
  assert.deepEqual(fifo(reload.actions), [`RS [10.0.0.1]:tcp:80 ${V1} DOWN\n`, `VS ${V1} DOWN\n`, `VS ${V1} DOWN\n`]);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr']);
  assert.equal(core.quorumUp(0), false);
});

test('real servers added: without alpha into the pool at once, with alpha only once checked, inhibited at weight 0', () => {
  const text = (extra: string, global = '') =>
    `${global}${vs('10.9.9.1', `  quorum_up /bin/qup.sh\n${real('10.0.0.1')}${extra}`)}`;
  const added =
    real('10.0.0.2', 'notify_up /bin/up.sh') +
    real('10.0.0.3', 'notify_down /bin/down.sh', 'TCP_CHECK {\n      alpha\n    }') +
    real('10.0.0.4', 'inhibit_on_failure\n    alpha');
  const core = new LvsCore(loadLvs(text('')));
  core.handle({ type: 'start' });
  // The alpha servers are left out of `failed` on purpose: check_new_rs_state() makes them start down anyway.
  const reload = core.handle({ type: 'reload', config: loadLvs(text(added)), failed: [] });
  assert.deepEqual(reload.actions, []);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 1', '  -> 10.0.0.2:80 Route 1', '  -> 10.0.0.4:80 Route 0']);
  const checked = core.handle(alive(2, true));
  assert.deepEqual(logs(checked.actions), [`Adding service [10.0.0.3]:tcp:80 to VS ${V1}`]);
  assert.deepEqual(show(checked.table).slice(-1), ['  -> 10.0.0.3:80 Route 1']);
  assert.deepEqual(logs(core.handle(alive(3, true)).actions), [`Enabling service [10.0.0.4]:tcp:80 of VS ${V1}`]);

  // rs_init_notifies: a real server added by the reload announces itself as at start.
  const noisy = new LvsCore(loadLvs(text('')));
  noisy.handle({ type: 'start' });
  const announced = noisy.handle({ type: 'reload', config: loadLvs(text(added, 'global_defs {\n  rs_init_notifies\n}\n')), failed: [rs(2), rs(3)] });
  assert.deepEqual(notifies(announced.actions), [['notify_up', '/bin/up.sh']]);
  assert.deepEqual(fifo(announced.actions), [`RS [10.0.0.2]:tcp:80 ${V1} UP\n`]);
});

test('a real server down before the reload whose checkers now all pass is added (migrate_checkers → perform_svr_state)', () => {
  const text = (checker: string) => vs('10.9.9.1', `${real('10.0.0.1', 'notify_up /bin/up.sh', checker)}${real('10.0.0.2')}`);
  const core = new LvsCore(loadLvs(text('TCP_CHECK {\n    }')));
  core.handle({ type: 'start' });
  core.handle(alive(0, false));
  // The TCP_CHECK became a MISC_CHECK: the new checker has not run, so nothing has failed.
  const reload = core.handle({ type: 'reload', config: loadLvs(text('MISC_CHECK {\n      misc_path /bin/up.sh\n    }')), failed: [] });
  assert.deepEqual(logs(reload.actions), [`Adding service [10.0.0.1]:tcp:80 to VS ${V1}`]);
  assert.deepEqual(notifies(reload.actions), [['notify_up', '/bin/up.sh']]);
  assert.deepEqual(fifo(reload.actions), [`RS [10.0.0.1]:tcp:80 ${V1} UP\n`]);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.2:80 Route 1', '  -> 10.0.0.1:80 Route 1']);
});

test('a real server alive before the reload with a failed checker after it leaves IPVS without a log (migrate_checkers tail)', () => {
  const text = vs('10.9.9.1', `${real('10.0.0.1')}${real('10.0.0.2', 'inhibit_on_failure')}${real('10.0.0.3')}`);
  const core = new LvsCore(loadLvs(text));
  core.handle({ type: 'start' });
  core.handle(alive(1, false));
  const reload = core.handle({ type: 'reload', config: loadLvs(text), failed: [rs(0), rs(1)] });
  assert.deepEqual(reload.actions, []);
  // keepalived deletes the destination but leaves the server "alive": a later success changes nothing.
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.2:80 Route 0', '  -> 10.0.0.3:80 Route 1']);
  assert.deepEqual(core.handle(alive(0, true)).actions, []);
});

test('sorry server changed while it serves: the old one leaves, the new one comes in with quorum_down again', () => {
  const text = (sorry: string) => vs('10.9.9.1', `  quorum_down /bin/qdown.sh\n${sorry}${real('10.0.0.1')}`);
  const core = new LvsCore(loadLvs(text('  sorry_server 10.0.0.99 80\n')));
  core.handle({ type: 'start' });
  assert.deepEqual(show(core.handle(alive(0, false)).table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.99:80 Route 1 sorry']);
  const reload = core.handle({ type: 'reload', config: loadLvs(text('  sorry_server 10.0.0.98 80\n')), failed: [rs(0)] });
  assert.deepEqual(logs(reload.actions), [
    `Removing sorry server [10.0.0.99]:tcp:80 from VS ${V1}`,
    `Starting with quorum down 1-0=1 > 0 for VS ${V1}`,
    `Adding sorry server [10.0.0.98]:tcp:80 to VS ${V1}`,
    `Removing alive servers from the pool for VS ${V1}`,
  ]);
  assert.deepEqual(notifies(reload.actions), [['quorum_down', '/bin/qdown.sh']]);
  assert.deepEqual(fifo(reload.actions), [`VS ${V1} DOWN\n`]);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.98:80 Route 1 sorry']);
});

test('sorry server removed while it serves, and an idle inhibited sorry server removed', () => {
  const text = (sorry: string) => vs('10.9.9.1', `  quorum_down /bin/qdown.sh\n${sorry}${real('10.0.0.1')}`);
  const active = new LvsCore(loadLvs(text('  sorry_server 10.0.0.99 80\n')));
  active.handle({ type: 'start' });
  active.handle(alive(0, false));
  const reload = active.handle({ type: 'reload', config: loadLvs(text('')), failed: [rs(0)] });
  assert.deepEqual(reload.actions, [{ type: 'log', message: `Removing sorry server [10.0.0.99]:tcp:80 from VS ${V1}` }]);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr']);

  const idle = new LvsCore(loadLvs(text('  sorry_server 10.0.0.99 80\n  sorry_server_inhibit\n')));
  assert.deepEqual(show(idle.handle({ type: 'start' }).table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 1', '  -> 10.0.0.99:80 Route 0 sorry']);
  const dropped = idle.handle({ type: 'reload', config: loadLvs(text('')) });
  assert.deepEqual(dropped.actions, [{ type: 'log', message: `Removing sorry server [10.0.0.99]:tcp:80 from VS ${V1}` }]);
  assert.deepEqual(show(dropped.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 1']);
});

test('a sorry server added by the reload to a virtual server without quorum comes in at init', () => {
  const text = (sorry: string) => vs('10.9.9.1', `${sorry}${real('10.0.0.1')}`);
  const core = new LvsCore(loadLvs(text('')));
  core.handle({ type: 'start' });
  core.handle(alive(0, false));
  const reload = core.handle({ type: 'reload', config: loadLvs(text('  sorry_server 10.0.0.99 80\n')), failed: [rs(0)] });
  assert.deepEqual(logs(reload.actions), [
    `Starting with quorum down 1-0=1 > 0 for VS ${V1}`,
    `Adding sorry server [10.0.0.99]:tcp:80 to VS ${V1}`,
    `Removing alive servers from the pool for VS ${V1}`,
  ]);
  assert.deepEqual(fifo(reload.actions), [`VS ${V1} DOWN\n`]);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.99:80 Route 1 sorry']);
});

test('quorum lost and regained by a reload that changes quorum', () => {
  const text = (quorum: number) =>
    vs(
      '10.9.9.1',
      `  quorum ${quorum}
  quorum_up /bin/qup.sh
  quorum_down /bin/qdown.sh
  sorry_server 10.0.0.99 80
${real('10.0.0.1', 'weight 2')}${real('10.0.0.2', 'weight 2')}`,
    );
  const core = new LvsCore(loadLvs(text(1)));
  core.handle({ type: 'start' });
  core.handle(alive(1, false));
  const lost = core.handle({ type: 'reload', config: loadLvs(text(3)), failed: [rs(1)] });
  assert.deepEqual(logs(lost.actions), [
    `Starting with quorum down 3-0=3 > 2 for VS ${V1}`,
    `Adding sorry server [10.0.0.99]:tcp:80 to VS ${V1}`,
    `Removing alive servers from the pool for VS ${V1}`,
  ]);
  assert.deepEqual(notifies(lost.actions), [['quorum_down', '/bin/qdown.sh']]);
  assert.deepEqual(fifo(lost.actions), [`VS ${V1} DOWN\n`]);
  assert.deepEqual(show(lost.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.99:80 Route 1 sorry']);

  const gained = core.handle({ type: 'reload', config: loadLvs(text(1)), failed: [rs(1)] });
  assert.deepEqual(logs(gained.actions), [
    `Gained quorum 1+0=1 <= 2 for VS ${V1}`,
    `Removing sorry server [10.0.0.99]:tcp:80 from VS ${V1}`,
    `Adding alive servers to the pool for VS ${V1}`,
  ]);
  assert.deepEqual(notifies(gained.actions), [['quorum_up', '/bin/qup.sh']]);
  assert.deepEqual(fifo(gained.actions), [`VS ${V1} UP\n`]);
  assert.deepEqual(show(gained.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 2']);
});

test('weights: configured changes are applied at init, dynamic weights carried, inactive ones only logged', () => {
  const text = (w1: number, w2: number) =>
    vs(
      '10.9.9.1',
      `${real('10.0.0.1', `weight ${w1}`)}${real('10.0.0.2', `weight ${w2}`)}${real('10.0.0.3', 'weight 1', 'MISC_CHECK {\n      misc_path /bin/up.sh\n      misc_dynamic\n    }')}`,
      'lb_algo wrr\n  lb_kind DR',
    );
  const core = new LvsCore(loadLvs(text(1, 1)));
  core.handle({ type: 'start' });
  core.handle(alive(1, false));
  core.handle({ type: 'rs-weight', realServer: rs(2), weight: 4 });
  const reload = core.handle({ type: 'reload', config: loadLvs(text(3, 2)), failed: [rs(1)], weights: [{ realServer: rs(2), weight: 4 }] });
  assert.deepEqual(logs(reload.actions), [
    `Changing weight from 1 to 3 for active service [10.0.0.1]:tcp:80 of VS ${V1}`,
    `Changing weight from 1 to 2 for inactive service [10.0.0.2]:tcp:80 of VS ${V1}`,
  ]);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 wrr', '  -> 10.0.0.1:80 Route 3', '  -> 10.0.0.3:80 Route 4']);
  // The new weight of the inactive server counts once it is back.
  assert.deepEqual(show(core.handle(alive(1, true)).table).slice(-1), ['  -> 10.0.0.2:80 Route 2']);
  // Without the dynamic weight in the event, the configured weight is back.
  const again = core.handle({ type: 'reload', config: loadLvs(text(3, 2)), failed: [] });
  assert.deepEqual(logs(again.actions), [`Changing weight from 4 to 1 for active service [10.0.0.3]:tcp:80 of VS ${V1}`]);
});

test('scheduler, flags, persistence and forwarding changes reach the table without actions', () => {
  const text = (settings: string, rsExtra: string) => vs('10.9.9.1', `${real('10.0.0.1', rsExtra)}${real('10.0.0.2')}`, settings);
  const core = new LvsCore(loadLvs(text('lb_algo rr\n  lb_kind DR', '')));
  core.handle({ type: 'start' });
  const reload = core.handle({
    type: 'reload',
    config: loadLvs(text('lb_algo sh\n  lb_kind DR\n  sh-port\n  persistence_timeout 300', 'lvs_method NAT')),
    failed: [],
  });
  assert.deepEqual(reload.actions, []);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 sh sh-port persistent 300', '  -> 10.0.0.1:80 Masq 1', '  -> 10.0.0.2:80 Route 1']);
});

test('virtual server matching: protocol or port changed means removed and added; new virtual servers start as at start', () => {
  const core = new LvsCore(loadLvs(vs('10.9.9.1', `  quorum_down /bin/qdown.sh\n${real('10.0.0.1', 'notify_down /bin/down.sh')}`)));
  core.handle({ type: 'start' });
  const udp = vs('10.9.9.1', real('10.0.0.1', 'notify_down /bin/down.sh')).replace('protocol TCP', 'protocol UDP');
  const reload = core.handle({ type: 'reload', config: loadLvs(udp) });
  // the new virtual server starts as at start: quorum down (set_quorum_states), gained at init
  assert.deepEqual(logs(reload.actions), [
    `Removing Virtual Server ${V1}`,
    `Removing service [10.0.0.1]:tcp:80 from VS ${V1}`,
    'Gained quorum 1+0=1 <= 1 for VS [10.9.9.1]:udp:80',
  ]);
  assert.deepEqual(notifies(reload.actions), [['notify_down', '/bin/down.sh'], ['quorum_down', '/bin/qdown.sh']]);
  assert.deepEqual(show(reload.table), ['UDP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 1']);
});

test('virtual_server_group: entries gone and added are logged, the services follow; a renamed group is a removal', () => {
  const text = (name: string, entries: string) => `
virtual_server_group ${name} {
${entries}
}
virtual_server group ${name} {
  lb_algo rr
  lb_kind DR
  protocol TCP
${real('10.0.0.1')}${real('10.0.0.2')}
}
`;
  const core = new LvsCore(loadLvs(text('WEB', '  10.9.9.1-3 80\n  10.9.9.5 80\n  fwmark 5')));
  core.handle({ type: 'start' });
  core.handle(alive(1, false));
  const reload = core.handle({ type: 'reload', config: loadLvs(text('WEB', '  10.9.9.5 80\n  10.9.9.1-2 80\n  10.9.9.7 80\n  fwmark 6')), failed: [rs(1)] });
  assert.deepEqual(logs(reload.actions), [
    'VS [[10.9.9.1]:tcp:80-10.9.9.3] in group WEB no longer exists',
    'VS [5] in group WEB no longer exists',
    'VS [[10.9.9.1]:tcp:80-10.9.9.2] added into group WEB',
    'VS [[10.9.9.7]:tcp:80] added into group WEB',
    'VS [FWM 6] added into group WEB',
  ]);
  assert.deepEqual(show(reload.table), [
    'TCP 10.9.9.5:80 rr',
    '  -> 10.0.0.1:80 Route 1',
    'TCP 10.9.9.1:80 rr',
    '  -> 10.0.0.1:80 Route 1',
    'TCP 10.9.9.2:80 rr',
    '  -> 10.0.0.1:80 Route 1',
    'TCP 10.9.9.7:80 rr',
    '  -> 10.0.0.1:80 Route 1',
    'FWM 6 rr',
    '  -> 10.0.0.1:0 Route 1',
  ]);
  const renamed = core.handle({ type: 'reload', config: loadLvs(text('APP', '  10.9.9.5 80')), failed: [rs(1)] });
  assert.deepEqual(logs(renamed.actions), ['Removing Virtual Server Group [WEB]', 'Removing service [10.0.0.1]:tcp:80 from VS [WEB]:0', 'Gained quorum 1+0=1 <= 1 for VS [APP]:0']);
  assert.deepEqual(fifo(renamed.actions), ['RS [10.0.0.1]:tcp:80 [WEB]:0 DOWN\n', 'VS [WEB]:0 DOWN\n', 'VS [APP]:0 UP\n']);
  assert.deepEqual(show(renamed.table), ['TCP 10.9.9.5:80 rr', '  -> 10.0.0.1:80 Route 1']);
});

test('ha_suspend: address counts carried over; a virtual server new to ha_suspend counts the given addresses', () => {
  const one = vs('10.9.9.1', `  ha_suspend\n${real('10.0.0.1')}`);
  const two = vs('10.9.9.2', `  ha_suspend\n${real('10.0.0.2')}`);
  const three = vs('10.9.9.3', `  ha_suspend\n${real('10.0.0.3')}`);
  const core = new LvsCore(loadLvs(one));
  core.handle({ type: 'start', localAddresses: [] });
  core.handle({ type: 'vip-present', address: '10.9.9.1', present: true });
  // The count is carried: the (stale) address list does not matter for a virtual server kept.
  const reload = core.handle({ type: 'reload', config: loadLvs(one + two + three), localAddresses: ['10.9.9.2'] });
  // the two new virtual servers gain their quorum at init; the one without a local address pauses its checkers
  assert.deepEqual(reload.actions, [
    { type: 'log', message: 'Gained quorum 1+0=1 <= 1 for VS [10.9.9.2]:tcp:80' },
    { type: 'fifo', line: 'VS [10.9.9.2]:tcp:80 UP\n' },
    { type: 'checkers', virtualServer: 2, enabled: false },
    { type: 'log', message: 'Gained quorum 1+0=1 <= 1 for VS [10.9.9.3]:tcp:80' },
    { type: 'fifo', line: 'VS [10.9.9.3]:tcp:80 UP\n' },
  ]);
  assert.deepEqual(show(reload.table), ['TCP 10.9.9.1:80 rr', '  -> 10.0.0.1:80 Route 1', 'TCP 10.9.9.2:80 rr', '  -> 10.0.0.2:80 Route 1']);
  assert.deepEqual(show(core.handle({ type: 'vip-present', address: '10.9.9.1', present: false }).table), ['TCP 10.9.9.2:80 rr', '  -> 10.0.0.2:80 Route 1']);
});

test('reload before start swaps the config quietly; after stop it is ignored; unknown refs are counted', () => {
  const a = vs('10.9.9.1', real('10.0.0.1'));
  const b = vs('10.9.9.2', real('10.0.0.2'));
  const core = new LvsCore(loadLvs(a));
  assert.deepEqual(core.handle({ type: 'reload', config: loadLvs(b) }), { actions: [], table: { services: [] } });
  assert.deepEqual(show(core.handle({ type: 'start' }).table), ['TCP 10.9.9.2:80 rr', '  -> 10.0.0.2:80 Route 1']);
  const bad = core.handle({ type: 'reload', config: loadLvs(b), failed: [rs(3, 0)], weights: [{ realServer: rs(0, 7), weight: 2 }] });
  assert.deepEqual(logs(bad.actions), [
    'LVS reload: failed state for unknown real server 0/3 ignored',
    'LVS reload: weight for unknown real server 7/0 ignored',
  ]);
  assert.equal(core.errors, 2);
  core.handle({ type: 'stop' });
  assert.deepEqual(core.handle({ type: 'reload', config: loadLvs(a) }), { actions: [], table: { services: [] } });
});
