/**
 * Random clusters and fault schedules from a seed. Every node's configuration is written as
 * keepalived.conf text and read through the real config path (loadConfigText), so the simulator
 * exercises what a user would deploy. A scenario: nodes start, faults are injected for a while,
 * then the network is repaired and left quiet (the invariants then demand convergence), then every
 * node is stopped (and no VIP may remain anywhere).
 */
import { SimCluster, type ClusterOptions, type ClusterStats, type SimNodeSpec, type TimelineEntry } from './cluster.js';
import type { Violation } from './invariants.js';
import { Prng } from './prng.js';

const S = 1_000_000;

export type FaultEvent =
  | { readonly at: number; readonly kind: 'crash' | 'stop' | 'start' | 'restart'; readonly node: string }
  /** SIGHUP: with `config`, the node's keepalived.conf becomes that text; without, it reloads its own. */
  | { readonly at: number; readonly kind: 'reload'; readonly node: string; readonly config?: string }
  | { readonly at: number; readonly kind: 'partition'; readonly a: readonly string[]; readonly b: readonly string[] }
  | { readonly at: number; readonly kind: 'block'; readonly from: string; readonly to: string }
  | { readonly at: number; readonly kind: 'heal' }
  | { readonly at: number; readonly kind: 'link'; readonly from: string; readonly to: string; readonly latencyUs?: number; readonly loss?: number }
  | { readonly at: number; readonly kind: 'interface'; readonly node: string; readonly ifname: string; readonly up: boolean }
  | { readonly at: number; readonly kind: 'script'; readonly node: string; readonly script: string; readonly up: boolean }
  | { readonly at: number; readonly kind: 'priority'; readonly node: string; readonly instances: readonly string[]; readonly priority: number };

export interface Scenario {
  readonly seed: number;
  readonly nodes: readonly SimNodeSpec[];
  readonly options: ClusterOptions;
  /** When each node first starts, µs. */
  readonly startAt: Readonly<Record<string, number>>;
  /** Link latencies set before anything starts. */
  readonly latencies: readonly { from: string; to: string; latencyUs: number }[];
  readonly events: readonly FaultEvent[];
  /** End of the fault phase: the network is repaired here. */
  readonly repairAt: number;
  readonly summary: string;
  readonly vrids: number;
}

export interface GenerateOptions {
  /** Most VRIDs (default 50). */
  readonly maxVrids?: number;
  /** Longest fault phase, µs (default 120 s). */
  readonly maxFaultPhaseUs?: number;
}

interface Unit {
  /** Instance names in this unit (a lone instance or a sync group). */
  readonly instances: { name: string; vrid: number }[];
  readonly group?: string;
  readonly nodes: string[];
}

/** Build a random cluster and fault schedule from `seed`. */
export function generateScenario(seed: number, opts: GenerateOptions = {}): Scenario {
  const r = new Prng(seed);
  const nNodes = r.int(2, 5);
  const names = Array.from({ length: nNodes }, (_, k) => `n${k + 1}`);
  const hasEth1 = r.chance(0.3);
  const maxV = opts.maxVrids ?? 50;
  const bucket = r.next();
  const nVrids = Math.min(maxV, bucket < 0.5 ? r.int(1, 5) : bucket < 0.8 ? r.int(6, 15) : r.int(16, 50));
  const globalV3 = r.chance(0.35);
  const nScripts = r.int(0, 3);

  // units: lone instances or sync groups over VRIDs sharing one node set
  const units: Unit[] = [];
  let vrid = 1;
  let groupNo = 0;
  while (vrid <= nVrids) {
    const left = nVrids - vrid + 1;
    const size = left >= 2 && r.chance(0.2) ? r.int(2, Math.min(3, left)) : 1;
    const nodes = r.chance(0.7) ? [...names] : subset(r, names, r.int(2, nNodes));
    const instances = Array.from({ length: size }, (_, k) => ({ name: `VI_${vrid + k}`, vrid: vrid + k }));
    units.push(size > 1 ? { instances, nodes, group: `G${++groupNo}` } : { instances, nodes });
    vrid += size;
  }

  const perNode = new Map<string, string[]>(names.map((n) => [n, []]));
  const groupsPerNode = new Map<string, string[]>(names.map((n) => [n, []]));
  const descr: string[] = [];
  for (const u of units) {
    const nopreempt = r.chance(0.1);
    const iface = hasEth1 && r.chance(0.25) ? 'eth1' : 'eth0';
    const net = iface === 'eth0' ? '10.0.0' : '10.1.0';
    // per node one priority for the whole unit (sync groups: consistent order across members)
    const prio = new Map<string, number>();
    for (const n of u.nodes) prio.set(n, prio.size && r.chance(0.1) ? r.pick([...prio.values()]) : r.int(1, 254));
    const owner = !u.group && !nopreempt && r.chance(0.05) ? r.pick(u.nodes) : undefined;
    if (owner) prio.set(owner, 255);
    const top = [...prio.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const masterState = !nopreempt && r.chance(0.3);
    if (u.group) {
      const groupTrack = nScripts && r.chance(0.3) ? `chk_${r.int(1, nScripts)}` : undefined;
      for (const n of u.nodes) {
        const lines = [`vrrp_sync_group ${u.group} {`, '  group {', ...u.instances.map((i) => `    ${i.name}`), '  }'];
        if (groupTrack) lines.push('  track_script {', `    ${groupTrack} weight 0`, '  }');
        lines.push('  notify /etc/keepalived/notify.sh', '}');
        groupsPerNode.get(n)!.push(lines.join('\n'));
      }
    }
    for (const inst of u.instances) {
      const v3 = globalV3 ? !r.chance(0.1) : r.chance(0.2);
      const version = v3 ? 3 : 2;
      const advert = v3 ? r.pick(['0.5', '1', '1', '1.5']) : r.pick(['1', '1', '1', '2']);
      const unicast = r.chance(0.3);
      const srcIp = unicast && r.chance(0.5);
      const auth = !v3 && r.chance(0.2);
      const nVips = r.int(1, 3);
      const vipNet = iface === 'eth0' ? `192.168.${inst.vrid}` : `172.16.${inst.vrid}`;
      const tracks: string[] = [];
      if (!u.group && nScripts && r.chance(0.35)) {
        for (let k = 1; k <= nScripts; k++) {
          if (!r.chance(0.5)) continue;
          const w = owner || r.chance(0.3) ? 0 : r.pick([-1, 1]) * r.int(1, 60);
          tracks.push(`chk_${k} weight ${w}`);
        }
      }
      const notifyMaster = r.chance(0.3);
      descr.push(`${inst.name}${u.group ? `@${u.group}` : ''} v${version} ${advert}s ${unicast ? 'unicast' : 'mcast'} ${iface} [${u.nodes.map((n) => `${n}:${prio.get(n)}`).join(' ')}]${nopreempt ? ' nopreempt' : ''}${tracks.length ? ` track(${tracks.join(',')})` : ''}`);
      for (const n of u.nodes) {
        const k = names.indexOf(n) + 1;
        const lines = [
          `vrrp_instance ${inst.name} {`,
          `  state ${prio.get(n) === 255 || (masterState && n === top) ? 'MASTER' : 'BACKUP'}`,
          `  interface ${iface}`,
          `  virtual_router_id ${inst.vrid}`,
          `  priority ${prio.get(n)}`,
          `  advert_int ${advert}`,
        ];
        if (v3 !== globalV3) lines.push(`  version ${version}`);
        if (nopreempt) lines.push('  nopreempt');
        if (auth) lines.push('  authentication {', '    auth_type PASS', `    auth_pass vr${inst.vrid}pw`, '  }');
        if (unicast) {
          if (srcIp) lines.push(`  unicast_src_ip ${net}.${k}`);
          lines.push('  unicast_peer {', ...u.nodes.filter((o) => o !== n).map((o) => `    ${net}.${names.indexOf(o) + 1}`), '  }');
        }
        lines.push('  virtual_ipaddress {', ...Array.from({ length: nVips }, (_, j) => `    ${vipNet}.${j + 1}/24`), '  }');
        if (tracks.length) lines.push('  track_script {', ...tracks.map((t) => `    ${t}`), '  }');
        lines.push('  notify /etc/keepalived/notify.sh');
        if (notifyMaster) lines.push(`  notify_master "/etc/keepalived/notify.sh master ${inst.name}"`);
        lines.push('}');
        perNode.get(n)!.push(lines.join('\n'));
      }
    }
  }

  const globals: string[] = [];
  if (globalV3) globals.push('  vrrp_version 3');
  if (r.chance(0.3)) globals.push(`  vrrp_garp_master_delay ${r.int(0, 10)}`);
  if (r.chance(0.2)) globals.push('  vrrp_higher_prio_send_advert');
  if (r.chance(0.2)) globals.push('  vrrp_lower_prio_no_advert');
  const scripts = Array.from(
    { length: nScripts },
    (_, k) => `vrrp_script chk_${k + 1} {\n  script "/usr/local/bin/check.sh ${k + 1}"\n  interval 1\n}`,
  );
  const nodes: SimNodeSpec[] = names.map((n, k) => ({
    name: n,
    config: [
      `global_defs {\n  router_id ${n}\n  enable_script_security\n  script_user root\n${globals.map((g) => g + '\n').join('')}}`,
      ...scripts,
      ...groupsPerNode.get(n)!,
      ...perNode.get(n)!,
      '',
    ].join('\n'),
    interfaces: [
      { name: 'eth0', segment: 'lan0', ipv4: [`10.0.0.${k + 1}`] },
      ...(hasEth1 ? [{ name: 'eth1', segment: 'lan1', ipv4: [`10.1.0.${k + 1}`] }] : []),
    ],
  }));

  const startAt: Record<string, number> = {};
  const together = r.chance(0.5);
  for (const n of names) startAt[n] = together ? 0 : r.int(0, 3 * S);
  const latencies: { from: string; to: string; latencyUs: number }[] = [];
  for (const a of names) for (const b of names) if (a !== b) latencies.push({ from: a, to: b, latencyUs: r.int(50, 3000) });

  // the fault phase
  const events: FaultEvent[] = [];
  const faultPhase = r.int(20 * S, opts.maxFaultPhaseUs ?? 120 * S);
  const running = new Set(names);
  const blocked = { any: false };
  const lossy = new Set<string>();
  const ifDown = new Set<string>();
  const allInstances = units.flatMap((u) => u.instances.map((i) => ({ ...i, unit: u })));
  let t = 3 * S + r.int(0, 10 * S);
  while (t < faultPhase) {
    const k = r.int(0, 99);
    const node = r.pick(names);
    if (k < 14) {
      if (running.has(node)) {
        running.delete(node);
        events.push({ at: t, kind: 'crash', node });
        const back = t + r.int(S / 2, 30 * S);
        if (back < faultPhase && r.chance(0.8)) {
          events.push({ at: back, kind: 'start', node });
          running.add(node); // approximately: the generator does not replay the schedule
        }
      }
    } else if (k < 24) {
      if (running.has(node)) {
        running.delete(node);
        events.push({ at: t, kind: 'stop', node });
        const back = t + r.int(S / 2, 30 * S);
        if (back < faultPhase && r.chance(0.8)) {
          events.push({ at: back, kind: 'start', node });
          running.add(node);
        }
      }
    } else if (k < 28) {
      events.push({ at: t, kind: 'restart', node });
    } else if (k < 38 && nNodes > 1) {
      const side = subset(r, names, r.int(1, nNodes - 1));
      events.push({ at: t, kind: 'partition', a: side, b: names.filter((x) => !side.includes(x)) });
      blocked.any = true;
    } else if (k < 43) {
      const to = r.pick(names.filter((x) => x !== node));
      events.push({ at: t, kind: 'block', from: node, to });
      blocked.any = true;
    } else if (k < 53) {
      events.push({ at: t, kind: 'heal' });
      blocked.any = false;
    } else if (k < 60) {
      const to = r.pick(names.filter((x) => x !== node));
      const loss = r.chance(0.4) ? 0 : r.pick([0.05, 0.2, 0.5, 1]);
      events.push({ at: t, kind: 'link', from: node, to, loss });
      if (loss > 0) lossy.add(`${node}>${to}`);
      else lossy.delete(`${node}>${to}`);
    } else if (k < 64) {
      const to = r.pick(names.filter((x) => x !== node));
      events.push({ at: t, kind: 'link', from: node, to, latencyUs: r.int(50, 20_000) });
    } else if (k < 72) {
      const ifname = hasEth1 && r.chance(0.5) ? 'eth1' : 'eth0';
      const key = `${node}/${ifname}`;
      const up = ifDown.has(key);
      events.push({ at: t, kind: 'interface', node, ifname, up });
      if (up) ifDown.delete(key);
      else ifDown.add(key);
    } else if (k < 86) {
      if (nScripts) events.push({ at: t, kind: 'script', node, script: `chk_${r.int(1, nScripts)}`, up: r.chance(0.5) });
    } else {
      const inst = r.pick(allInstances);
      if (inst.unit.nodes.includes(node)) {
        const members = inst.unit.group ? inst.unit.instances.map((i) => i.name) : [inst.name];
        events.push({ at: t, kind: 'priority', node, instances: members, priority: r.int(1, 254) });
      }
    }
    t += r.chance(0.3) ? r.int(10 * S, 40 * S) : r.int(S / 5, 8 * S);
  }
  events.sort((a, b) => a.at - b.at);
  const summary = `${nNodes} nodes${hasEth1 ? ' (eth0+eth1)' : ''}, ${nVrids} VRIDs, ${groupNo} sync groups, ${nScripts} scripts, ${events.length} faults over ${faultPhase / S}s\n  ${descr.join('\n  ')}`;
  return {
    seed,
    nodes,
    options: { seed, scriptReportDelayUs: r.pick([0, 0, 1000, 50_000]) },
    startAt,
    latencies,
    events,
    repairAt: faultPhase,
    summary,
    vrids: nVrids,
  };
}

function subset<T>(r: Prng, items: readonly T[], n: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length) out.push(pool.splice(r.int(0, pool.length - 1), 1)[0]!);
  return out;
}

export interface SeedStats extends ClusterStats {
  readonly simulatedUs: number;
  readonly wallMs: number;
  readonly nodes: number;
  readonly vrids: number;
  /** How often the invariant checks ran. */
  readonly checks: { converged: number; takeoversExpected: number; takeoversMet: number; vipNodes: number };
}

export interface SeedResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly timeline: readonly TimelineEntry[];
  readonly stats: SeedStats;
  readonly scenario: Scenario;
}

function apply(c: SimCluster, e: FaultEvent): void {
  switch (e.kind) {
    case 'crash':
      return c.crash(e.node);
    case 'stop':
      return c.stop(e.node);
    case 'start':
      return c.start(e.node);
    case 'restart':
      if (c.node(e.node).running) c.restart(e.node);
      return;
    case 'reload':
      return c.reload(e.node, e.config);
    case 'partition':
      return c.partition(e.a, e.b);
    case 'block':
      return c.block(e.from, e.to);
    case 'heal':
      return c.heal();
    case 'link':
      return c.setLink(e.from, e.to, { ...(e.latencyUs !== undefined ? { latencyUs: e.latencyUs } : {}), ...(e.loss !== undefined ? { loss: e.loss } : {}) });
    case 'interface':
      return c.setInterface(e.node, e.ifname, e.up);
    case 'script':
      return c.setScript(e.node, e.script, e.up);
    case 'priority':
      if (c.node(e.node).running) for (const i of e.instances) c.setPriority(e.node, i, e.priority);
      return;
  }
}

/** Run a scenario: start, faults, repair, a quiet period, then stop every node. */
export function runScenario(s: Scenario, extra: Partial<ClusterOptions> = {}): SeedResult {
  const wall = Date.now();
  const c = new SimCluster({ ...s.options, ...extra });
  const r = new Prng((s.seed ^ 0x27d4eb2f) >>> 0);
  for (const n of s.nodes) c.addNode(n);
  for (const l of s.latencies) c.setLink(l.from, l.to, { latencyUs: l.latencyUs });
  for (const [n, at] of Object.entries(s.startAt)) c.at(at, () => c.start(n));
  for (const e of s.events) c.at(e.at, () => apply(c, e));
  let crashed: Error | undefined;
  const guard = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      crashed = e instanceof Error ? e : new Error(String(e));
    }
  };
  guard(() => c.runUntil(s.repairAt));
  // repair: heal, clear loss, interfaces up, every node running
  const names = s.nodes.map((n) => n.name);
  if (!crashed)
    guard(() => {
      c.heal();
      for (const a of names) for (const b of names) if (a !== b && c.net.link(a, b).loss > 0) c.setLink(a, b, { loss: 0 });
      for (const n of s.nodes) for (const i of n.interfaces) c.setInterface(n.name, i.name, true);
      for (const n of names) c.start(n);
      c.runUntil(c.now + 3 * c.stableWindowUs + 5 * S);
      // stop every node, one after the other
      const order = subset(r, names, names.length);
      let at = c.now;
      for (const n of order) {
        at += r.int(0, 2 * S);
        c.at(at, () => c.stop(n));
      }
      c.runUntil(at + 10 * S);
      const left = c.heldVips();
      if (Object.keys(left).length) c.invariants.report('vip-after-stop', `VIPs left after every node stopped: ${JSON.stringify(left)}`);
    });
  if (crashed) c.invariants.report('crash', `the simulation threw: ${crashed.stack ?? crashed.message}`);
  const ns = c.net.stats;
  const stats: SeedStats = {
    ...c.stats,
    framesLost: ns.lost,
    framesBlocked: ns.blocked,
    simulatedUs: c.now,
    wallMs: Date.now() - wall,
    nodes: s.nodes.length,
    vrids: s.vrids,
    checks: { ...c.invariants.checks },
  };
  return { seed: s.seed, ok: c.violations.length === 0, violations: c.violations, timeline: c.timeline, stats, scenario: s };
}

export function runSeed(seed: number, opts: GenerateOptions = {}): SeedResult {
  return runScenario(generateScenario(seed, opts));
}
