/**
 * `keepalived-ts simulate -f node1.conf -f node2.conf [...]`: runs those exact configs as a
 * cluster on one simulated segment per interface name, with the real config reader and the real
 * VRRP core, and prints the timeline (who is MASTER when, VIP moves, scripts that would run) and
 * the invariants that held or broke — what a config does in a partition, before it ships.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ethernetInterface } from '../config/host-facts.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { loadConfigText } from '../config/load.js';
import type { KeepalivedConfig } from '../config/model/index.js';
import { hostFactsFor, SimCluster, SimConfigError, type SimInterfaceSpec, type TimelineEntry } from '../platform/sim/cluster.js';
import { formatViolation } from '../platform/sim/invariants.js';
import { SimWitness } from '../platform/sim/split-brain-hooks.js';

/** `keepalived-ts witness --max-lease`'s default: the simulated witness's longest lease and quiet period. */
const WITNESS_MAX_LEASE_US = 10_000_000;
/** The simulated witness host's name. */
const WITNESS_NODE = 'witness';
import { Prng } from '../platform/sim/prng.js';
import type { Output } from './output.js';

export const SIMULATE_USAGE = `Usage: keepalived-ts simulate -f NODE.conf -f NODE.conf [-f ...] [options]
  Run the given keepalived.conf files as one cluster on simulated network segments (one
  node per file, named by its router_id, else by its file name; interfaces of the same name
  share a segment) and print what happens: state changes, VIP moves, scripts that would run,
  and the invariants that held or broke. Nothing touches the real network.

  -f, --use-file=FILE   a node's configuration (give one per node; at least two)
  --seed N              seed for every random choice (default 1)
  --duration D          simulated run time, e.g. 60s, 90000ms, 2m (default 60s)
  --scenario NAME       what happens to the cluster (default crash-master):
      none            nothing: start every node and watch
      crash-master    at t = 10 s the node that is MASTER of the first instance crashes (no
                      priority-0 advert), at t = 20 s it is restarted
      stop-master     as crash-master, but a clean stop (SIGTERM: priority-0 advert) at 10 s
      partition       at t = 10 s VRRP between two halves of the nodes is cut (a firewall
                      dropping it, a dead heartbeat path: the hosts and their clients still
                      reach each other, so VIP conflict detection sees the second holder), at
                      t = 20 s the network heals
      isolate-master  at t = 10 s the first instance's MASTER is cut from every other host (the
                      other nodes and, when the configs name one, the witness: nothing reaches
                      it, nothing leaves it), at t = 20 s the network heals; with a witness it
                      gives its VIPs up before another director takes them
      flap            the first instance's MASTER loses its interface at t = 10 s, gets it back at
                      12 s, loses it at 14 s and gets it back at 16 s
      reload          at t = 10 s every node reloads its own, unchanged config (SIGHUP): keepalived
                      diffs old against new, so nothing may change state anywhere (an instance
                      that does breaks the reload-flap invariant)
      random          a random schedule of crashes, restarts, partitions, loss and interface
                      flaps from the seed, between 5 s and two thirds of the duration
  --json                print { "events": [...], "conflicts": [...], "violations": [...], "final": {...} }
  -h, --help            this text

  VIP conflict detection runs as configured (vip_conflict_probe_interval, default 2 s): a
  MASTER's probes are answered by any other node holding the VIP, and the timeline shows when a
  VIP is also held elsewhere and when that is over.

  Limits: include files are not followed (each file is read alone); scripts never run, they
  are shown; addresses the configs do not give are invented (192.0.2.N, fe80::N), and so are
  MACs (02:73:69:6d:NODE:IF, NODE counting from 01 in -f order).
`;

const SCENARIOS = ['none', 'crash-master', 'stop-master', 'partition', 'isolate-master', 'flap', 'reload', 'random'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

interface SimulateArgs {
  files: string[];
  seed: number;
  durationUs: number;
  scenario: ScenarioName;
  json: boolean;
}

/** "60s", "90000ms", "2m", "1.5s", "45" (seconds) → µs. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) return undefined;
  const unit = m[2] === 'ms' ? 1_000 : m[2] === 'm' ? 60_000_000 : 1_000_000;
  const us = Math.round(Number(m[1]) * unit);
  return us > 0 ? us : undefined;
}

function parseSimulateArgs(argv: readonly string[], io: Output): SimulateArgs | 'help' | undefined {
  const args: SimulateArgs = { files: [], seed: 1, durationUs: 60_000_000, scenario: 'crash-master', json: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const name = eq > 0 ? raw.slice(0, eq) : raw;
    const takesValue = ['-f', '--use-file', '--seed', '--duration', '--scenario'].includes(name);
    let value: string | undefined;
    if (takesValue) {
      value = eq > 0 ? raw.slice(eq + 1) : argv[++i];
      if (value === undefined) {
        io.err(`Missing parameter for option ${name}\n`);
        return undefined;
      }
    }
    switch (name) {
      case '-h':
      case '--help':
        return 'help';
      case '--json':
        args.json = true;
        break;
      case '-f':
      case '--use-file':
        args.files.push(value!);
        break;
      case '--seed': {
        if (!/^\d+$/.test(value!)) {
          io.err(`--seed takes a whole number, not '${value}'\n`);
          return undefined;
        }
        args.seed = Number(value);
        break;
      }
      case '--duration': {
        const us = parseDuration(value!);
        if (us === undefined) {
          io.err(`--duration takes a time such as 60s, 90000ms or 2m, not '${value}'\n`);
          return undefined;
        }
        args.durationUs = us;
        break;
      }
      case '--scenario':
        if (!(SCENARIOS as readonly string[]).includes(value!)) {
          io.err(`Unknown scenario '${value}' (${SCENARIOS.join(', ')})\n`);
          return undefined;
        }
        args.scenario = value as ScenarioName;
        break;
      default:
        io.err(`Unknown option ${raw}\n`);
        return undefined;
    }
  }
  if (args.files.length < 2) {
    io.err('simulate needs at least two nodes: give one -f FILE per node\n');
    return undefined;
  }
  return args;
}

interface NodePlan {
  readonly file: string;
  readonly name: string;
  readonly text: string;
  interfaces: SimInterfaceSpec[];
  readonly firstInstance: string | undefined;
  /** The peer directors' addresses its config names (unicast_peer, vote_peers). */
  readonly peers: ReadonlySet<string>;
  /** Its first interface's IPv4 address came from its config (unicast_src_ip / mcast_src_ip). */
  readonly ownAddressGiven: boolean;
  readonly witness: KeepalivedConfig['global']['witness'];
}

/**
 * The interfaces a node needs: every interface its VRRP instances use, with the source addresses
 * its config gives (unicast_src_ip / mcast_src_ip) or invented ones.
 */
function planNode(file: string, text: string, index: number, io: Output): NodePlan | undefined {
  // a first read on a host that has every interface the config names, to learn which it uses
  const probeHost = hostFactsFor({ name: 'probe', config: text, interfaces: [] });
  const probe = loadConfigText(text, { host: { ...probeHost, interface: (n: string) => ethernetInterface(n, 2) }, fileName: path.resolve(file) });
  const config: KeepalivedConfig = probe.config;
  const name = config.global.routerId ?? path.basename(file);
  const byName = new Map<string, { ipv4: Set<string>; ipv6: Set<string> }>();
  for (const vi of config.vrrp.instances) {
    const ifname = vi.interface ?? 'eth0';
    const entry = byName.get(ifname) ?? { ipv4: new Set<string>(), ipv6: new Set<string>() };
    byName.set(ifname, entry);
    if (vi.srcIp) (vi.srcIp.family === 'inet6' ? entry.ipv6 : entry.ipv4).add(vi.srcIp.address);
  }
  if (!byName.size) {
    io.err(`${file}: no vrrp_instance to simulate\n`);
    return undefined;
  }
  const interfaces = [...byName].map(([ifname, a]) => ({
    name: ifname,
    segment: ifname,
    ipv4: a.ipv4.size ? [...a.ipv4] : [`192.0.2.${index + 1}`],
    ipv6: [`fe80::${(index + 1).toString(16)}`, ...a.ipv6],
  }));
  const peers = new Set<string>([...(config.global.witness?.votePeers ?? []), ...config.vrrp.instances.flatMap((vi) => vi.unicastPeers.map((p) => p.address))]);
  const ownAddressGiven = [...byName.values()][0]!.ipv4.size > 0;
  return { file: path.resolve(file), name, text, interfaces, firstInstance: config.vrrp.instances[0]?.name, peers, ownAddressGiven, witness: config.global.witness };
}

/**
 * Give each node the address its peers know it by: an address every other node names as a peer
 * (unicast_peer, vote_peers) and this one does not is this node's — so unicast adverts and the
 * witness's votes find their way without the configs saying who is who.
 */
function assignPeerAddresses(plans: NodePlan[]): void {
  const named = new Set(plans.flatMap((p) => [...p.peers]));
  for (const address of named) {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) continue;
    const owners = plans.filter((p) => !p.peers.has(address));
    if (owners.length !== 1 || owners[0]!.ownAddressGiven || plans.length < 2) continue;
    if (!plans.every((p) => p === owners[0] || p.peers.has(address))) continue;
    const owner = owners[0]!;
    const [first, ...rest] = owner.interfaces;
    owner.interfaces = [{ ...first!, ipv4: [address] }, ...rest];
  }
}

const seconds = (us: number) => Number((us / 1e6).toFixed(6));

interface JsonEvent {
  t: number;
  node: string;
  instance?: string;
  from?: string;
  to: string;
  reason: string;
}

/** Timeline entries as the --json events: state changes, and crashes/stops as "DOWN". */
function jsonEvents(cluster: SimCluster, timeline: readonly TimelineEntry[]): JsonEvent[] {
  const events: JsonEvent[] = [];
  const last = new Map<string, string>();
  for (const e of timeline) {
    if (e.kind === 'state' && e.instance && e.to) {
      events.push({ t: seconds(e.t), node: e.node, instance: e.instance, ...(e.from ? { from: e.from } : {}), to: e.to, reason: e.reason ?? '' });
      last.set(`${e.node}\0${e.instance}`, e.to);
    } else if (e.kind === 'fault' && (e.detail === 'crash' || e.detail === 'stop')) {
      const node = cluster.node(e.node);
      for (const vi of node.config.vrrp.instances) {
        const key = `${e.node}\0${vi.name}`;
        const from = last.get(key);
        events.push({ t: seconds(e.t), node: e.node, instance: vi.name, ...(from ? { from } : {}), to: 'DOWN', reason: e.detail });
        last.set(key, 'DOWN');
      }
    }
  }
  return events;
}

interface JsonConflict {
  t: number;
  node: string;
  instance: string;
  event: 'started' | 'cleared';
  vip: string;
  mac: string;
}

/** Timeline entries of VIP conflict detection, as the --json conflicts. */
function jsonConflicts(timeline: readonly TimelineEntry[]): JsonConflict[] {
  return timeline
    .filter((e) => e.kind === 'conflict')
    .map((e) => ({ t: seconds(e.t), node: e.node, instance: e.instance ?? '', event: e.reason === 'started' ? ('started' as const) : ('cleared' as const), vip: e.vip ?? '', mac: e.mac ?? '' }));
}

function describe(e: TimelineEntry): string | undefined {
  const t = `${(e.t / 1e6).toFixed(6).padStart(12)}s`;
  switch (e.kind) {
    case 'state':
    case 'group-state':
      return `${t}  ${e.node}  ${e.kind === 'group-state' ? 'group ' : ''}${e.instance}: ${e.from ?? '-'} -> ${e.to}${e.reason ? `  (${e.reason})` : ''}`;
    case 'vip-add':
    case 'vip-remove':
      return `${t}  ${e.node}  ${e.instance ?? ''}: ${e.kind === 'vip-add' ? 'adds' : 'removes'} ${e.detail ?? 'VIPs'}`;
    case 'script':
      return `${t}  ${e.node}  ${e.instance ?? ''}: would run ${JSON.stringify(e.argv ?? [])}`;
    case 'fault':
      return `${t}  ${e.node}  ** ${e.detail}`;
    case 'conflict':
      // the daemon's log line, with the instance where the other lines have it
      return `${t}  ${e.node}  ${e.instance ?? ''}: ${(e.detail ?? '').replace(/^\([^)]*\) /, '')}`;
    default:
      return undefined;
  }
}

/** The fault schedule of a scenario, applied to a started cluster. */
function schedule(cluster: SimCluster, plans: readonly NodePlan[], args: SimulateArgs): void {
  const names = plans.map((p) => p.name);
  const first = plans[0]?.firstInstance;
  const masterOfFirst = () => (first ? cluster.masters(first)[0] : undefined);
  const s = 1_000_000;
  switch (args.scenario) {
    case 'none':
      return;
    case 'crash-master':
    case 'stop-master': {
      let victim: string | undefined;
      cluster.at(10 * s, () => {
        victim = masterOfFirst();
        if (victim) args.scenario === 'crash-master' ? cluster.crash(victim) : cluster.stop(victim);
      });
      cluster.at(20 * s, () => victim && cluster.start(victim));
      return;
    }
    case 'partition': {
      const half = Math.ceil(names.length / 2);
      cluster.at(10 * s, () => cluster.partition(names.slice(0, half), names.slice(half), 'vrrp'));
      cluster.at(20 * s, () => cluster.heal());
      return;
    }
    case 'isolate-master':
      cluster.at(10 * s, () => {
        const victim = masterOfFirst();
        if (victim) cluster.partition([victim], [...names.filter((n) => n !== victim), ...(cluster.net.nodeNames().includes(WITNESS_NODE) ? [WITNESS_NODE] : [])]);
      });
      cluster.at(20 * s, () => cluster.heal());
      return;
    case 'flap': {
      let victim: string | undefined;
      let ifname: string | undefined;
      cluster.at(10 * s, () => {
        victim = masterOfFirst();
        ifname = victim ? plans.find((p) => p.name === victim)?.interfaces[0]?.name : undefined;
      });
      for (const [t, up] of [[10, false], [12, true], [14, false], [16, true]] as const)
        cluster.at(t * s, () => victim && ifname && cluster.setInterface(victim, ifname, up));
      return;
    }
    case 'reload':
      cluster.at(10 * s, () => {
        for (const n of names) cluster.reload(n);
      });
      return;
    case 'random': {
      const prng = new Prng(args.seed);
      const end = Math.max(6 * s, Math.floor((args.durationUs * 2) / 3));
      for (let t = 5 * s; t < end; t += prng.int(2, 8) * s) {
        const node = prng.pick(names);
        const what = prng.int(0, 4);
        if (what === 0) cluster.at(t, () => cluster.crash(node));
        else if (what === 1) cluster.at(t, () => cluster.start(node));
        else if (what === 2) cluster.at(t, () => cluster.partition([node], names.filter((n) => n !== node)));
        else if (what === 3) cluster.at(t, () => cluster.heal());
        else {
          const plan = plans.find((p) => p.name === node)!;
          const ifname = plan.interfaces[0]!.name;
          const up = prng.chance(0.5);
          cluster.at(t, () => cluster.setInterface(node, ifname, up));
        }
      }
      // settle: everything back, so the end state says what the configs converge to
      cluster.at(end, () => {
        cluster.heal();
        for (const p of plans) {
          for (const i of p.interfaces) cluster.setInterface(p.name, i.name, true);
          cluster.start(p.name);
        }
      });
      return;
    }
  }
}

/** VIP → the nodes holding it now. */
function vipHolders(cluster: SimCluster): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [node, vips] of Object.entries(cluster.heldVips())) for (const vip of vips) out.set(vip, [...(out.get(vip) ?? []), node]);
  return out;
}

export function runSimulate(argv: readonly string[], io: Output): number {
  const args = parseSimulateArgs(argv, io);
  if (args === 'help') {
    io.err(SIMULATE_USAGE);
    return 0;
  }
  if (!args) return 1;
  const plans: NodePlan[] = [];
  for (const [i, file] of args.files.entries()) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      io.err(`Config files missing '${file}'. (${(e as Error).message})\n`);
      return 4;
    }
    const plan = planNode(file, text, i, io);
    if (!plan) return 1;
    if (plans.some((p) => p.name === plan.name)) {
      io.err(`Two nodes are named '${plan.name}' (router_id): give each node its own router_id\n`);
      return 1;
    }
    plans.push(plan);
  }

  assignPeerAddresses(plans);
  const dualHolds: { t: number; invariant: string; message: string; text: string }[] = [];
  const cluster = new SimCluster({ seed: args.seed, vipConflicts: true });
  try {
    for (const p of plans) {
      const node = cluster.addNode({ name: p.name, config: p.text, interfaces: p.interfaces, fileName: p.file, runLikeKeepalived: true });
      // keepalived runs a config with errors (its -t exit 5); say what they are, as it would log them
      for (const d of node.diagnostics.list) io.err(`${p.name}: ${formatDiagnostic(d)}\n`);
    }
  } catch (e) {
    if (!(e instanceof SimConfigError)) throw e;
    io.err(`The config of ${e.node} cannot run (keepalived-ts -t shows why):\n${e.lines.join('\n')}\n`);
    return 4;
  }
  // a witness the configs name runs on a host of its own on the first node's first segment
  const witness = plans.find((p) => p.witness?.secret)?.witness;
  if (witness?.secret) {
    new SimWitness({ name: WITNESS_NODE, segment: plans[0]!.interfaces[0]!.segment, address: witness.address, port: witness.port, secret: witness.secret, maxLeaseUs: WITNESS_MAX_LEASE_US }, cluster.net, cluster.clock).start();
    // a takeover may wait for a vote lease and a witness lease on top of the master-down interval
    const advertUs = Math.max(...plans.flatMap((p) => cluster.node(p.name).instances().map((i) => i.settings.advertInt)));
    const leaseUs = Math.max(witness.leaseUs ?? 3 * advertUs, 2 * advertUs);
    cluster.maxMasterDownUs = Math.max(cluster.maxMasterDownUs, leaseUs + 3 * advertUs + cluster.maxMasterDownUs / 2);
    // under the majority rule a side without a majority rightly has no master: plain VRRP's
    // convergence checks give way to the one that matters, never two holders of a VIP at once
    for (const name of ['one-master', 'highest-priority', 'takeover-crash', 'takeover-stop'] as const) cluster.invariants.enabled.delete(name);
    const reported = new Set<string>();
    cluster.afterStepHooks.push(() => {
      for (const [vip, holders] of vipHolders(cluster)) {
        if (holders.length < 2) {
          reported.delete(vip);
          continue;
        }
        if (reported.has(vip)) continue;
        reported.add(vip);
        const message = `VIP ${vip} is held by ${holders.join(' and ')} at once although a witness is configured`;
        dualHolds.push({ t: cluster.now, invariant: 'vip-unique', message, text: `[seed ${args.seed}] vip-unique at t=${seconds(cluster.now)}s: ${message}` });
      }
    });
  }
  for (const p of plans) cluster.start(p.name);
  schedule(cluster, plans, args);
  cluster.runUntil(args.durationUs);

  const final: Record<string, Record<string, string>> = {};
  for (const p of plans) {
    final[p.name] = {};
    for (const vi of cluster.node(p.name).config.vrrp.instances) final[p.name]![vi.name] = cluster.state(p.name, vi.name);
  }
  const violations = [...cluster.violations.map((v) => ({ t: v.t, invariant: v.invariant as string, message: v.message, text: formatViolation(v) })), ...dualHolds];
  // The invariants are per VRID; two directors that disagree on the VRID both hold the VIP.
  for (const [vip, holders] of vipHolders(cluster)) {
    if (holders.length < 2) continue;
    const message = `VIP ${vip} is held by ${holders.join(' and ')} at the end: split brain (check virtual_router_id, authentication and connectivity: keepalived-ts lint)`;
    violations.push({ t: cluster.now, invariant: 'vip-unique', message, text: message });
  }
  if (args.json) {
    io.out(
      JSON.stringify(
        {
          events: jsonEvents(cluster, cluster.timeline),
          conflicts: jsonConflicts(cluster.timeline),
          violations: violations.map((v) => ({ t: seconds(v.t), invariant: v.invariant, message: v.message })),
          final,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    io.out(`Simulated ${plans.length} nodes (${plans.map((p) => p.name).join(', ')}) for ${seconds(args.durationUs)} s, scenario ${args.scenario}, seed ${args.seed}\n\n`);
    for (const e of cluster.timeline) {
      const line = describe(e);
      if (line) io.out(line + '\n');
    }
    io.out('\nFinal states:\n');
    for (const [node, states] of Object.entries(final)) for (const [inst, st] of Object.entries(states)) io.out(`  ${node}  ${inst}: ${st}\n`);
    io.out(violations.length ? `\nInvariants broken (${violations.length}):\n` : '\nAll invariants held.\n');
    for (const v of violations) io.out(v.text + '\n');
  }
  return violations.length ? 1 : 0;
}
