/**
 * The integration lab: directors and a client on one emulated Ethernet segment, in network
 * namespaces, for tests that run real VRRP daemons (keepalived 2.2.7, keepalived-ts) against each
 * other. Needs root and iproute2/nftables; `labSkipReason()` says what is missing.
 *
 * Topology: a "switch" namespace holds bridge br0 (no STP, no multicast snooping, no IPv6 of its
 * own). Each node namespace gets eth0, a veth whose peer `sw-<node>` is a bridge port:
 *   node i (0-based)  10.X.0.(11+i)/24  fdXX::(11+i)/64 (+ its link-local)  MAC 02:6b:74:XX:00:<hex(11+i)>
 *   client            10.X.0.100/24     fdXX::100/64                         MAC 02:6b:74:XX:00:64
 * X is `lab.subnet` (XX its two hex digits); `lab.v4(200)` / `lab.v6(200)` build addresses in it.
 * Namespace names come from TestNamespace (kts<pid>x<n>, unique per run); interfaces live only
 * inside those namespaces, so nothing is ever created on the host. Static addresses are added
 * with nodad and create() waits until every link-local address has finished DAD.
 *
 * How a test uses it:
 *
 *   const lab = await Lab.create({ nodes: ['d1', 'd2'], client: true, ipv6: true });
 *   try {
 *     const vip = lab.v4(200);
 *     const d1 = lab.startKeepalived('d1', configFor(lab, 150));   // keepalived 2.2.7
 *     const d2 = lab.startKeepalived('d2', configFor(lab, 100), { command: [process.execPath, CLI] }); // keepalived-ts, same flags
 *     // (or any program: lab.startProcess('d2', argv, { pidFiles }) gives the same handle)
 *     await d1.waitForLog(/Entering MASTER STATE/, 15_000);
 *     await lab.waitForVip('d1', vip, true);
 *     const probe = await lab.probeVip('client', vip, 20);       // UDP probes, answered by the VIP holder
 *     const killedAt = epochMs();
 *     await d1.kill();                                            // SIGKILL of parent AND VRRP child: a crash
 *     await lab.waitForVip('d2', vip, true, 15_000);
 *     await probe.stop();
 *     const outages = probe.outages();                            // runs of lost probes, epoch-ms stamps
 *     // faults: lab.dropVrrp('d1', 'd2') / lab.heal(), lab.linkDown('d1') / lab.linkUp('d1')
 *     // packets: const cap = await lab.capture('client', 'vrrp'); … tsharkFields(await cap.stop(), ['vrrp.prio'])
 *   } finally {
 *     await lab.destroy();                                        // processes, namespaces, temp files
 *   }
 *
 * Everything the lab starts is stopped by PID (never by name), in destroy() and, as a last resort,
 * when the test process exits. Set KTS_LAB_KEEP=1 to keep the run directory (configs, pcaps).
 *
 * Files: lab.ts (topology, addresses, faults; re-exports the rest), lab-process.ts (process
 * handles), lab-capture.ts (tcpdump/tshark), lab-probe.ts + lab-udp-prober.ts + lab-udp-echo.ts
 * (client-visible availability).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestNamespace, haveIpCommand, isRoot } from './netns.js';
import { KeepalivedProcess, LabProcess, pollFor, runCommand, runOk, type CommandResult, type StartOptions } from './lab-process.js';
import { Capture } from './lab-capture.js';
import { VipProbe } from './lab-probe.js';

export * from './lab-process.js';
export * from './lab-capture.js';
export * from './lab-probe.js';

export const KEEPALIVED = '/usr/sbin/keepalived';
const ECHO_SCRIPT = fileURLToPath(new URL('./lab-udp-echo.js', import.meta.url));
const PROBER_SCRIPT = fileURLToPath(new URL('./lab-udp-prober.js', import.meta.url));
/** nft table (inside a node namespace) holding dropVrrp's rules. */
const CUT_TABLE = 'kts_lab_cut';
const VRRP_PROTO = 112;

/** Wall-clock epoch milliseconds with sub-millisecond precision; the prober's timestamps use the same clock. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Why the lab cannot run here (adds the lab's own tools to netns.ts's checks), or undefined. */
export function labSkipReason(opts: { keepalived?: boolean; capture?: boolean } = {}): string | undefined {
  if (!isRoot()) return 'needs root (creates network namespaces); run the tests as root';
  if (!haveIpCommand()) return "needs the 'ip' command (package iproute2)";
  const need: [string, string][] = [['nft', 'nftables']];
  if (opts.keepalived) need.push([KEEPALIVED, 'keepalived']);
  if (opts.capture) need.push(['tcpdump', 'tcpdump'], ['tshark', 'tshark']);
  for (const [bin, pkg] of need) if (!commandExists(bin)) return `needs '${bin}' (package ${pkg})`;
  return undefined;
}

function commandExists(bin: string): boolean {
  if (bin.includes('/')) return fs.existsSync(bin);
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin')
    .split(':')
    .some((dir) => dir !== '' && fs.existsSync(path.join(dir, bin)));
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`cannot parse ${what} as JSON (${(e as Error).message}): ${text.slice(0, 200)}`);
  }
}

/** Canonical text of an address (no prefix length, no zone; IPv6 compressed as `ip` prints it). */
export function canonicalAddress(address: string): string {
  const bare = address.split('/')[0]!.split('%')[0]!.trim();
  if (!bare.includes(':')) return bare;
  try {
    return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return bare.toLowerCase();
  }
}

export interface LabOptions {
  /** Director names, e.g. ['d1','d2']: letters, digits, '_' or '-', at most 12 characters. */
  readonly nodes: readonly string[];
  /** Add a node named 'client' (10.X.0.100). Default false. */
  readonly client?: boolean;
  /** Give every node fdXX::/64 addresses and IPv6 at all. Default true. */
  readonly ipv6?: boolean;
  /** X in 10.X.0.0/24 (1..254). Default derived from the PID, so parallel runs differ in captures and logs. */
  readonly subnet?: number;
  /**
   * Let the client create neighbour entries from gratuitous ARP (arp_accept=1), so a master's GARP
   * shows in its table without client traffic. Default true. IPv6 has no host equivalent: an
   * unsolicited NA only updates an existing entry (the kernel creates new ones from it only
   * when forwarding, RFC 9131), so make the client talk to an IPv6 VIP first (e.g. probeVip).
   */
  readonly clientLearnsFromGarp?: boolean;
}

interface LabNode {
  readonly name: string;
  readonly ns: TestNamespace;
  readonly host: number;
  readonly mac: string;
  /** This node's bridge port in the switch namespace. */
  readonly port: string;
  linkLocal: string | undefined;
}

interface IpAddrInfo {
  readonly family: string;
  readonly local: string;
  readonly prefixlen: number;
  readonly scope?: string;
  readonly tentative?: boolean;
  readonly dadfailed?: boolean;
}
interface IpLink {
  readonly ifname: string;
  readonly operstate?: string;
  readonly address?: string;
  readonly addr_info?: readonly IpAddrInfo[];
}

/** An address as `ip -j addr` reports it, with its interface. */
export interface LabAddress {
  readonly ifname: string;
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  readonly prefixlen: number;
  readonly tentative: boolean;
}

export const CLIENT = 'client';
const CLIENT_HOST = 100;
let labSeq = 0;
const liveLabs = new Set<Lab>();

process.on('exit', () => {
  for (const lab of liveLabs) lab.destroyNow();
});
/* Signals skip 'exit' handlers unless the process exits through process.exit(). */
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => process.exit(code));
}

export class Lab {
  /** The run directory: configs, pidfiles, pcaps. Removed by destroy() unless KTS_LAB_KEEP=1. */
  readonly runDir: string;
  private readonly nodes = new Map<string, LabNode>();
  private switchNs: TestNamespace | undefined;
  private readonly processes = new Set<LabProcess>();
  private readonly echoResponders = new Map<string, LabProcess>();
  private readonly cutNodes = new Set<string>();
  private dirSeq = 0;
  private destroyed = false;

  private constructor(
    readonly subnet: number,
    readonly ipv6: boolean,
  ) {
    this.runDir = fs.mkdtempSync(path.join(os.tmpdir(), `kts-lab-${process.pid}-`));
    liveLabs.add(this);
  }

  static async create(opts: LabOptions): Promise<Lab> {
    const names = [...opts.nodes, ...(opts.client ? [CLIENT] : [])];
    for (const name of names) {
      if (!/^[A-Za-z][A-Za-z0-9_-]{0,11}$/.test(name)) throw new Error(`lab node name '${name}': use letters, digits, '_' or '-', at most 12 characters`);
    }
    if (new Set(names).size !== names.length) throw new Error(`lab node names must be unique (and '${CLIENT}' is the client's): ${names.join(', ')}`);
    if (opts.nodes.length > 80) throw new Error('at most 80 lab nodes (hosts 11..90)');
    const subnet = opts.subnet ?? 20 + ((process.pid + 37 * labSeq++) % 200);
    if (!Number.isInteger(subnet) || subnet < 1 || subnet > 254) throw new Error(`lab subnet ${subnet}: expected 1..254`);

    const lab = new Lab(subnet, opts.ipv6 ?? true);
    try {
      lab.buildSwitch();
      opts.nodes.forEach((name, i) => lab.addNode(name, 11 + i, false));
      if (opts.client) lab.addNode(CLIENT, CLIENT_HOST, opts.clientLearnsFromGarp ?? true);
      await lab.waitSettled(15_000);
    } catch (e) {
      await lab.destroy();
      throw e;
    }
    return lab;
  }

  // ---- addressing

  /** `10.X.0.host` */
  v4(host: number): string {
    return `10.${this.subnet}.0.${host}`;
  }

  /** `fdXX::host`: the host number's decimal digits form the last group (node 0 is fdXX::11, as in 10.X.0.11). */
  v6(host: number): string {
    return `fd${this.subnet.toString(16).padStart(2, '0')}::${host}`;
  }

  addr4(node: string): string {
    return this.v4(this.node(node).host);
  }

  addr6(node: string): string {
    return this.v6(this.node(node).host);
  }

  /** eth0's link-local address (the source of VRRPv3 IPv6 adverts). */
  linkLocal6(node: string): string {
    const ll = this.node(node).linkLocal;
    if (ll === undefined) throw new Error(`lab node ${node} has no IPv6 link-local address (ipv6: false?)`);
    return ll;
  }

  /** eth0's MAC, e.g. '02:6b:74:4d:00:0b'. */
  mac(node: string): string {
    return this.node(node).mac;
  }

  /** Node names, directors first, then the client. */
  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /** The namespace of a node (for TestNamespace.exec / .ip). */
  ns(node: string): TestNamespace {
    return this.node(node).ns;
  }

  /** Every namespace name of this run, switch included. */
  namespaceNames(): string[] {
    return [...(this.switchNs ? [this.switchNs.name] : []), ...[...this.nodes.values()].map((n) => n.ns.name)];
  }

  // ---- commands and files

  /** Run a command in a node's namespace (async). */
  exec(node: string, command: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    return runCommand('ip', ['netns', 'exec', this.node(node).ns.name, command, ...args], opts);
  }

  /** Write a file in a new subdirectory of the run directory; returns its path. */
  writeFile(name: string, text: string, mode = 0o644): string {
    const file = path.join(this.newDir(path.basename(name, path.extname(name))), path.basename(name));
    fs.writeFileSync(file, text, { mode });
    return file;
  }

  // ---- processes

  /** Start `argv` inside a node's namespace; output is captured line by line. */
  startProcess(node: string, argv: readonly string[], opts: StartOptions = {}): LabProcess {
    return this.launch(node, argv, opts, (child, label) => new LabProcess(node, argv, label, child, opts.pidFiles ?? []));
  }

  /**
   * Start keepalived in the foreground: `keepalived -n -l -D -G -f CONF -p PID -r VRRP_PID -c
   * CHECKERS_PID ARGS…`, with the config and pidfiles in a fresh directory of the run. `args` are
   * appended (e.g. ['-P'] for VRRP only). `command` replaces `/usr/sbin/keepalived`, e.g.
   * [process.execPath, CLI] to run keepalived-ts with exactly the same flags.
   */
  startKeepalived(
    node: string,
    configText: string,
    opts: { args?: readonly string[]; command?: readonly string[]; env?: Readonly<Record<string, string>> } = {},
  ): KeepalivedProcess {
    const dir = this.newDir(`${node}-keepalived`);
    const configPath = path.join(dir, 'keepalived.conf');
    const pidFile = path.join(dir, 'keepalived.pid');
    const vrrpPidFile = path.join(dir, 'vrrp.pid');
    const checkersPidFile = path.join(dir, 'checkers.pid');
    fs.writeFileSync(configPath, configText);
    const argv = [...(opts.command ?? [KEEPALIVED]), '-n', '-l', '-D', '-G', '-f', configPath, '-p', pidFile, '-r', vrrpPidFile, '-c', checkersPidFile, ...(opts.args ?? [])];
    return this.launch(node, argv, { ...(opts.env ? { env: opts.env } : {}) }, (child, label) => new KeepalivedProcess(node, argv, label, child, configPath, pidFile, vrrpPidFile, checkersPidFile));
  }

  // ---- addresses and neighbours

  /** Every address in a node's namespace (all interfaces), from `ip -j addr`. */
  async addresses(node: string): Promise<LabAddress[]> {
    const out = await runOk('ip', ['-n', this.node(node).ns.name, '-j', 'addr', 'show']);
    const links = parseJson<IpLink[]>(out, `ip -j addr in ${node}`);
    return links.flatMap((l) =>
      (l.addr_info ?? [])
        .filter((a) => a.family === 'inet' || a.family === 'inet6')
        .map((a) => ({ ifname: l.ifname, family: a.family as 'inet' | 'inet6', address: a.local, prefixlen: a.prefixlen, tentative: a.tentative === true })),
    );
  }

  async hasAddress(node: string, address: string): Promise<boolean> {
    const want = canonicalAddress(address);
    return (await this.addresses(node)).some((a) => a.address === want);
  }

  /** Poll until `address` is (present=true) or is not (false) on any interface of the node. */
  async waitForVip(node: string, address: string, present: boolean, timeoutMs = 15_000): Promise<void> {
    await pollFor(
      async () => ((await this.hasAddress(node, address)) === present ? true : undefined),
      timeoutMs,
      100,
      async () => {
        const now = (await this.addresses(node).catch(() => [])).map((a) => `${a.ifname}:${a.address}/${a.prefixlen}`);
        return `${address} still ${present ? 'absent from' : 'present on'} ${node} after ${timeoutMs} ms; addresses: ${now.join(' ')}`;
      },
    );
  }

  /** The link-layer address `node` has for `address` (undefined when none, or INCOMPLETE/FAILED). */
  async neighbour(node: string, address: string): Promise<string | undefined> {
    const out = await runOk('ip', ['-n', this.node(node).ns.name, '-j', 'neigh', 'show', 'to', canonicalAddress(address)]);
    const entries = parseJson<{ dst: string; lladdr?: string; state?: string[] }[]>(out || '[]', `ip -j neigh in ${node}`);
    const usable = entries.find((e) => e.lladdr !== undefined && !(e.state ?? []).some((s) => s === 'FAILED' || s === 'INCOMPLETE'));
    return usable?.lladdr;
  }

  /** Poll until the node's neighbour entry for `address` is `mac`. */
  async waitForNeighbour(node: string, address: string, mac: string, timeoutMs = 15_000): Promise<void> {
    await pollFor(
      async () => ((await this.neighbour(node, address)) === mac.toLowerCase() ? true : undefined),
      timeoutMs,
      100,
      async () => `${node}'s neighbour entry for ${address} is ${(await this.neighbour(node, address).catch(() => '?')) ?? 'absent'}, not ${mac}, after ${timeoutMs} ms`,
    );
  }

  // ---- capture

  /** Start tcpdump on a node's interface (default eth0); resolves once it is capturing. */
  async capture(node: string, filter = '', opts: { iface?: string } = {}): Promise<Capture> {
    const file = path.join(this.newDir(`${node}-capture`), 'capture.pcap');
    /*
     * --immediate-mode: without it packets wait in a half-filled kernel ring block, and tcpdump
     * stopped by a signal leaves them there unwritten ("6 received by filter, 0 captured").
     * -U: write each packet at once. -Z root: Debian's tcpdump otherwise drops to a user that
     * cannot write the run directory.
     */
    const argv = ['tcpdump', '-i', opts.iface ?? 'eth0', '-n', '--immediate-mode', '-U', '-Z', 'root', '-w', file, ...(filter ? [filter] : [])];
    const proc = this.startProcess(node, argv, { label: `${node}:tcpdump` });
    await proc.waitForLog(/listening on/, 10_000);
    return new Capture(file, proc);
  }

  // ---- faults

  /**
   * Cut the heartbeat one way: `to` drops every VRRP packet (IP protocol 112) from `from`,
   * matched by source MAC and by from's addresses, with an nft table in to's namespace (input
   * hook, so raw sockets never see them; tcpdump still does). Call twice for a full partition.
   */
  async dropVrrp(from: string, to: string): Promise<void> {
    const src = this.node(from);
    const dst = this.node(to);
    const six = this.ipv6 && src.linkLocal !== undefined ? [`add rule inet ${CUT_TABLE} input ip6 saddr { ${src.linkLocal}, ${this.addr6(from)} } meta l4proto ${VRRP_PROTO} counter drop comment "vrrp from ${from}"`] : [];
    const script = [
      `add table inet ${CUT_TABLE}`,
      `add chain inet ${CUT_TABLE} input { type filter hook input priority -10; policy accept; }`,
      `add rule inet ${CUT_TABLE} input ether saddr ${src.mac} meta l4proto ${VRRP_PROTO} counter drop comment "vrrp from ${from}"`,
      `add rule inet ${CUT_TABLE} input ip saddr ${this.addr4(from)} meta l4proto ${VRRP_PROTO} counter drop comment "vrrp from ${from}"`,
      ...six,
      '',
    ].join('\n');
    await runOk('ip', ['netns', 'exec', dst.ns.name, 'nft', '-f', '-'], { input: script });
    this.cutNodes.add(to);
  }

  /**
   * Cut every IP packet from `from` to `to` (VRRP, votes, anything routed), matched by source MAC
   * and address in to's namespace; ARP still passes, as on a link whose IP traffic a firewall
   * drops. heal() removes it with the dropVrrp rules.
   */
  async dropIp(from: string, to: string): Promise<void> {
    const src = this.node(from);
    const dst = this.node(to);
    const script = [
      `add table inet ${CUT_TABLE}`,
      `add chain inet ${CUT_TABLE} input { type filter hook input priority -10; policy accept; }`,
      `add rule inet ${CUT_TABLE} input ether saddr ${src.mac} counter drop comment "ip from ${from}"`,
      `add rule inet ${CUT_TABLE} input ip saddr ${this.addr4(from)} counter drop comment "ip from ${from}"`,
      '',
    ].join('\n');
    await runOk('ip', ['netns', 'exec', dst.ns.name, 'nft', '-f', '-'], { input: script });
    this.cutNodes.add(to);
  }

  /** How many VRRP packets dropVrrp's rules have dropped in `node` (a packet counts once). */
  async vrrpDropped(node: string): Promise<number> {
    if (!this.cutNodes.has(node)) return 0;
    const out = await runOk('ip', ['netns', 'exec', this.node(node).ns.name, 'nft', '-j', 'list', 'table', 'inet', CUT_TABLE]);
    const doc = parseJson<{ nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] }>(out, 'nft -j list table');
    let packets = 0;
    for (const item of doc.nftables) for (const e of item.rule?.expr ?? []) packets += e.counter?.packets ?? 0;
    return packets;
  }

  /** Remove every dropVrrp rule. */
  async heal(): Promise<void> {
    for (const name of [...this.cutNodes]) {
      await runOk('ip', ['netns', 'exec', this.node(name).ns.name, 'nft', 'delete', 'table', 'inet', CUT_TABLE]);
      this.cutNodes.delete(name);
    }
  }

  /**
   * Take a node's link down. where='switch' (default) downs its bridge port, like pulling the
   * cable: eth0 loses carrier and keeps its addresses. where='node' is `ip link set eth0 down`
   * inside the node (the kernel then drops its IPv6 addresses; linkUp restores the lab's own).
   */
  async linkDown(node: string, where: 'switch' | 'node' = 'switch'): Promise<void> {
    await this.setLink(node, where, 'down');
  }

  async linkUp(node: string, where: 'switch' | 'node' = 'switch'): Promise<void> {
    await this.setLink(node, where, 'up');
    if (where === 'node' && this.ipv6) {
      await runOk('ip', ['-n', this.node(node).ns.name, 'addr', 'replace', `${this.addr6(node)}/64`, 'dev', 'eth0', 'nodad']);
    }
  }

  // ---- client-visible availability

  /**
   * Start probing `vip` from `client` every `everyMs` (UDP to `port`, default 7). Echo responders
   * are started on every other node (or on `responders`) the first time. Resolves once probing.
   */
  async probeVip(client: string, vip: string, everyMs = 50, opts: { port?: number; timeoutMs?: number; responders?: readonly string[] } = {}): Promise<VipProbe> {
    const port = opts.port ?? 7;
    const responders = opts.responders ?? this.nodeNames().filter((n) => n !== client);
    await Promise.all(
      responders.map(async (node) => {
        const key = `${node}:${port}`;
        if (this.echoResponders.get(key)?.running) return;
        const proc = this.startProcess(node, [process.execPath, ECHO_SCRIPT, node, String(port)], { label: `${node}:udp-echo` });
        this.echoResponders.set(key, proc);
        await proc.waitForLog(/^listening/, 10_000);
      }),
    );
    /* The zone (fe80::…%eth0) stays: a link-local VIP cannot be reached without it. */
    const target = vip.split('/')[0]!;
    const proc = this.startProcess(client, [process.execPath, PROBER_SCRIPT, target, String(port), String(everyMs), String(opts.timeoutMs ?? 1000)], { label: `${client}:probe ${vip}` });
    await proc.waitForLog(/"ready":true/, 10_000);
    return new VipProbe(client, target, everyMs, proc);
  }

  // ---- teardown

  /**
   * Kill every process the lab started (by PID), delete its namespaces (which removes every link),
   * remove the run directory. Never throws (it runs in finally blocks); returns the problems met.
   */
  async destroy(): Promise<string[]> {
    if (this.destroyed) return [];
    this.destroyed = true;
    const problems: string[] = [];
    for (const proc of this.processes) {
      if (!proc.running && proc.pids().length === 0) continue;
      try {
        await proc.kill();
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    const names = this.namespaceNames();
    for (const n of this.nodes.values()) n.ns.destroy();
    this.switchNs?.destroy();
    const list = await runCommand('ip', ['netns', 'list']);
    const left = names.filter((name) => new RegExp(`^${name}( |$)`, 'm').test(list.stdout));
    if (left.length > 0) problems.push(`namespaces left: ${left.join(', ')}`);
    if (process.env.KTS_LAB_KEEP === '1') process.stderr.write(`lab: run directory kept (KTS_LAB_KEEP=1): ${this.runDir}\n`);
    else fs.rmSync(this.runDir, { recursive: true, force: true });
    liveLabs.delete(this);
    return problems;
  }

  /** Synchronous last resort for the process-exit hook. */
  destroyNow(): void {
    for (const proc of this.processes) proc.killNow();
    for (const n of this.nodes.values()) n.ns.destroy();
    this.switchNs?.destroy();
    if (process.env.KTS_LAB_KEEP !== '1') fs.rmSync(this.runDir, { recursive: true, force: true });
    liveLabs.delete(this);
  }

  // ---- internals

  private node(name: string): LabNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no lab node '${name}' (have ${this.nodeNames().join(', ')})`);
    return n;
  }

  private newDir(label: string): string {
    const dir = path.join(this.runDir, `${String(++this.dirSeq).padStart(2, '0')}-${label.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
    fs.mkdirSync(dir);
    return dir;
  }

  private launch<T extends LabProcess>(node: string, argv: readonly string[], opts: StartOptions, make: (child: ChildProcess, label: string) => T): T {
    if (this.destroyed) throw new Error('lab already destroyed');
    if (argv.length === 0) throw new Error('startProcess: empty argv');
    const ns = this.node(node).ns;
    const label = opts.label ?? `${node}:${path.basename(argv[0]!)}#${this.processes.size + 1}`;
    const child = spawn('ip', ['netns', 'exec', ns.name, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(opts.env ?? {}) },
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    });
    const proc = make(child, label);
    this.processes.add(proc);
    return proc;
  }

  private sysctl(ns: TestNamespace, settings: readonly string[]): void {
    const r = ns.exec('sysctl', ['-q', '-w', ...settings]);
    if (r.status !== 0) throw new Error(`sysctl ${settings.join(' ')} in ${ns.name} failed: ${r.stderr}`);
  }

  private buildSwitch(): void {
    const sw = TestNamespace.create();
    this.switchNs = sw;
    /* The switch only forwards frames: no IPv6 of its own (no DAD, no router solicitations). */
    this.sysctl(sw, ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    /* No snooping: VRRP's groups (224.0.0.18, ff02::12) must reach every port without MLD/IGMP joins being seen. */
    sw.ip(['link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0', 'mcast_snooping', '0']);
    sw.ip(['link', 'set', 'br0', 'up']);
  }

  private addNode(name: string, host: number, learnsFromGarp: boolean): void {
    const sw = this.switchNs!;
    const ns = TestNamespace.create();
    const mac = `02:6b:74:${hex2(this.subnet)}:00:${hex2(host)}`;
    const node: LabNode = { name, ns, host, mac, port: `sw-${name}`, linkLocal: undefined };
    this.nodes.set(name, node);
    if (!this.ipv6) this.sysctl(ns, ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    /* Created from the switch side with the peer placed straight into the node: nothing touches the host. */
    sw.ip(['link', 'add', node.port, 'type', 'veth', 'peer', 'name', 'eth0', 'address', mac, 'netns', ns.name]);
    sw.ip(['link', 'set', node.port, 'master', 'br0', 'up']);
    if (learnsFromGarp) this.sysctl(ns, ['net.ipv4.conf.eth0.arp_accept=1']);
    ns.ip(['addr', 'add', `${this.v4(host)}/24`, 'dev', 'eth0']);
    if (this.ipv6) ns.ip(['addr', 'add', `${this.v6(host)}/64`, 'dev', 'eth0', 'nodad']);
    ns.ip(['link', 'set', 'eth0', 'up']);
  }

  /** Wait until every eth0 is up and no address is tentative (IPv6 DAD of the link-locals). */
  private async waitSettled(timeoutMs: number): Promise<void> {
    for (const node of this.nodes.values()) {
      await pollFor(
        async () => {
          const out = await runOk('ip', ['-n', node.ns.name, '-j', 'addr', 'show', 'dev', 'eth0']);
          const link = parseJson<IpLink[]>(out, `ip -j addr in ${node.name}`)[0];
          if (!link || link.operstate !== 'UP') return undefined;
          const addrs = link.addr_info ?? [];
          const dadFailed = addrs.find((a) => a.dadfailed);
          if (dadFailed) throw new Error(`${node.name}: DAD failed for ${dadFailed.local}`);
          if (addrs.some((a) => a.tentative)) return undefined;
          if (!this.ipv6) return true;
          const ll = addrs.find((a) => a.family === 'inet6' && a.scope === 'link');
          if (!ll) return undefined;
          node.linkLocal = ll.local;
          return true;
        },
        timeoutMs,
        50,
        async () => `${node.name}: eth0 not up with settled addresses after ${timeoutMs} ms: ${(await runCommand('ip', ['-n', node.ns.name, 'addr', 'show', 'dev', 'eth0'])).stdout}`,
      );
    }
  }

  private async setLink(node: string, where: 'switch' | 'node', state: 'up' | 'down'): Promise<void> {
    const n = this.node(node);
    if (where === 'switch') await runOk('ip', ['-n', this.switchNs!.name, 'link', 'set', n.port, state]);
    else await runOk('ip', ['-n', n.ns.name, 'link', 'set', 'eth0', state]);
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
