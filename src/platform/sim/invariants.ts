/**
 * What must hold in a simulated cluster, checked after every step. A violation carries the seed,
 * the time and the recent timeline, so a failing seed is a reproducible bug report.
 *
 * - one-master: once the network has been quiet (no fault, no partition change) for the stable
 *   window (2 × the largest master-down interval), no two MASTERs of a VRID hear each other, and
 *   every clique of mutually reachable eligible nodes (up, interface up, not FAULT) has a MASTER
 *   (unless, over a one-way link, it hears a MASTER outside the clique).
 * - vip-iff-master: a node holds an instance's VIPs iff the instance is MASTER (checked after the
 *   whole event, so the instant between the state change and the VIP action is allowed).
 * - highest-priority: once stable, with preemption, no eligible BACKUP that hears the MASTER has
 *   a strictly higher effective priority (equal priorities: keepalived keeps the elected master).
 * - nopreempt / steady-state: once stable, nothing changes state any more (in particular a running
 *   MASTER is not displaced by a nopreempt higher priority).
 * - takeover-crash / takeover-stop: a crashed master is replaced within master-down interval + one
 *   advert interval (+ latency); a stopped one within skew time + one advert interval (+ latency).
 * - vip-after-stop: a stopped node holds no VIP; no VIP remains anywhere once every node stopped.
 * - wire-reject: in a well-formed cluster the receive checks never reject an advert.
 * - reload-flap: a reload never changes the state of an instance whose settings it left unchanged
 *   (and a reload that changes nothing is no fault: steady-state keeps watching).
 */
import type { SimCluster, SimNode, TimelineEntry } from './cluster.js';
import type { VrrpInstanceCore } from '../../vrrp/instance.js';
import type { Action } from '../../vrrp/instance-types.js';

export type InvariantName =
  | 'one-master'
  | 'vip-iff-master'
  | 'highest-priority'
  | 'steady-state'
  | 'takeover-crash'
  | 'takeover-stop'
  | 'vip-after-stop'
  | 'wire-reject'
  | 'reload-flap'
  | 'crash';

export interface Violation {
  readonly invariant: InvariantName;
  readonly seed: number;
  /** µs. */
  readonly t: number;
  readonly message: string;
  readonly recent: readonly TimelineEntry[];
}

export interface Expectation {
  readonly kind: 'takeover-crash' | 'takeover-stop';
  readonly from: string;
  readonly key: string;
  readonly instance: string;
  readonly candidates: ReadonlySet<string>;
  readonly deadline: number;
  readonly boundUs: number;
  satisfied: boolean;
}

/** One eligible-or-not instance as the checks see it. */
export interface InstanceView {
  readonly node: SimNode;
  readonly core: VrrpInstanceCore;
  /** segment|family|vrid: the instances that elect together. */
  readonly key: string;
  readonly segment: string;
  /** Every segment its adverts travel: its own, then its heartbeat_paths'. */
  readonly segments: readonly string[];
  readonly eligible: boolean;
}

export class InvariantChecker {
  readonly violations: Violation[] = [];
  /** How often each check really ran (a check that never runs proves nothing). */
  readonly checks = { converged: 0, takeoversExpected: 0, takeoversMet: 0, vipNodes: 0 };
  /** When the last fault happened (start of time counts as one). */
  lastFaultAt = 0;
  private dirty = true;
  private checkedStable = false;
  private expectations: Expectation[] = [];
  private readonly active = new Set<string>();
  /** Which checks run (all by default). */
  readonly enabled = new Set<InvariantName>([
    'one-master',
    'vip-iff-master',
    'highest-priority',
    'steady-state',
    'takeover-crash',
    'takeover-stop',
    'vip-after-stop',
    'wire-reject',
    'reload-flap',
  ]);

  constructor(private readonly cluster: SimCluster) {}

  get stable(): boolean {
    return !this.cluster.lossy && this.cluster.now - this.lastFaultAt >= this.cluster.stableWindowUs;
  }

  report(invariant: InvariantName, message: string, key?: string): void {
    if (key !== undefined) {
      if (this.active.has(key)) return;
      this.active.add(key);
    }
    if (this.violations.length >= this.cluster.options.maxViolations) return;
    if (!this.enabled.has(invariant) && invariant !== 'crash') return;
    const c = this.cluster;
    c.record({ t: c.now, node: '*', kind: 'violation', reason: invariant, detail: message });
    this.violations.push({ invariant, seed: c.seed, t: c.now, message, recent: c.recent() });
  }

  /* ------------------------------------------------------------------ hooks from the cluster */

  onFault(_detail: string): void {
    this.lastFaultAt = this.cluster.now;
    this.dirty = true;
    this.checkedStable = false;
    this.expectations = [];
    // the moment the network becomes stable again is a step of its own
    const at = this.cluster.now + this.cluster.stableWindowUs;
    this.cluster.at(at, () => {});
  }

  onStateChange(node: SimNode, a: Extract<Action, { type: 'state-changed' }>): void {
    this.dirty = true;
    if (this.stable && this.enabled.has('steady-state'))
      this.report(
        'steady-state',
        `${node.name}: ${a.group ? 'group ' : ''}${a.owner} ${a.from} -> ${a.to} (${a.reason}) ${fmt(this.cluster.now - this.lastFaultAt)} after the last fault, in a quiet network`,
      );
    if (!a.group && a.to === 'MASTER')
      for (const e of this.expectations)
        if (!e.satisfied && e.candidates.has(node.name) && e.instance === a.owner) {
          e.satisfied = true;
          this.checks.takeoversMet++;
        }
  }

  onReject(node: SimNode, instance: string, check: string, reason: string): void {
    this.report('wire-reject', `${node.name}: ${instance} rejected an advert (${check}): ${reason}`);
  }

  /**
   * A node is about to crash or stop: what must happen next (takeover within the bound). The
   * cluster passes the result to expect() once the fault is recorded (a later fault cancels it).
   */
  beforeNodeLeaves(node: SimNode, how: 'crash' | 'stop'): Expectation[] {
    const c = this.cluster;
    const out: Expectation[] = [];
    if (!this.stable) return out;
    const kind = how === 'crash' ? 'takeover-crash' : 'takeover-stop';
    if (!this.enabled.has(kind)) return out;
    const views = this.views();
    for (const v of views) {
      if (v.node !== node || v.core.state !== 'MASTER' || !v.eligible) continue;
      const cands = views.filter((o) => o.key === v.key && o.node !== node && o.eligible && c.hears(o.node.name, node.name, o.segments));
      if (!cands.length) continue;
      // another MASTER of this VRID (over a one-way link, say) may rightly keep the candidates BACKUP
      if (views.some((o) => o.key === v.key && o.node !== node && o.eligible && o.core.state === 'MASTER')) continue;
      // sync groups: a member goes MASTER only when all its group does, so take the slowest member
      let worst = 0;
      for (const o of cands) {
        const members = o.core.sync ? o.core.sync.members : [o.core];
        for (const m of members) worst = Math.max(worst, how === 'crash' ? m.masterDownInterval() : m.skew());
      }
      const bound = worst + v.core.settings.advertInt + 2 * c.maxLatencyUs;
      const e: Expectation = {
        kind,
        from: node.name,
        key: v.key,
        instance: v.core.name,
        candidates: new Set(cands.map((o) => o.node.name)),
        deadline: c.now + bound,
        boundUs: bound,
        satisfied: cands.some((o) => o.core.state === 'MASTER'),
      };
      out.push(e);
    }
    return out;
  }

  expect(list: readonly Expectation[]): void {
    for (const e of list) {
      this.checks.takeoversExpected++;
      this.expectations.push(e);
      this.cluster.at(e.deadline + 1, () => {});
    }
  }

  /** After a stop's actions ran: the node must hold nothing. */
  afterNodeStopped(node: SimNode): void {
    if (node.held.size)
      this.report('vip-after-stop', `${node.name} still holds ${[...node.held.entries()].map(([a, h]) => `${a} (${h.instance})`).join(', ')} after stopping`);
  }

  /* ------------------------------------------------------------------ after every step */

  afterStep(): void {
    const c = this.cluster;
    for (const n of c.touched) this.checkVips(n);
    for (const e of this.expectations) {
      if (e.satisfied || c.now <= e.deadline) continue;
      e.satisfied = true; // report once
      this.report(
        e.kind,
        `${e.instance} (${e.key}): no MASTER among [${[...e.candidates].join(',')}] within ${fmt(e.boundUs)} after ${e.from} ${e.kind === 'takeover-crash' ? 'crashed' : 'stopped'}`,
      );
    }
    if (this.stable && (this.dirty || !this.checkedStable)) {
      this.dirty = false;
      this.checkedStable = true;
      this.checkConverged();
    }
  }

  /** Every instance of every running node, with its election key and eligibility. */
  views(): InstanceView[] {
    const out: InstanceView[] = [];
    for (const node of this.cluster.nodes.values()) {
      if (!node.running) continue;
      for (const core of node.instances()) {
        const ep = node.endpointOf(core);
        if (!ep) continue;
        const eligible = ep.up && (core.state === 'MASTER' || core.state === 'BACKUP');
        const segments = [ep.segment];
        for (const path of node.wire.get(core.name)?.paths.slice(1) ?? []) {
          const s = node.endpoints.get(path.interface)?.segment;
          if (s !== undefined && !segments.includes(s)) segments.push(s);
        }
        out.push({ node, core, key: `${ep.segment}|${core.settings.family}|${core.settings.vrid}`, segment: ep.segment, segments, eligible });
      }
    }
    return out;
  }

  private checkVips(node: SimNode): void {
    if (!this.enabled.has('vip-iff-master')) return;
    this.checks.vipNodes++;
    const states = new Map<string, string>();
    for (const core of node.instances()) {
      states.set(core.name, core.state);
      const addrs = [...core.settings.vips, ...core.settings.evips].map((v) => v.address);
      const master = core.state === 'MASTER';
      for (const a of addrs) {
        const h = node.held.get(a);
        const holds = h?.instance === core.name;
        const k = `vip|${node.name}|${a}`;
        if (holds !== master) this.report('vip-iff-master', `${node.name}: ${core.name} is ${core.state} but ${holds ? 'holds' : 'does not hold'} ${a}`, k);
        else this.active.delete(k);
      }
    }
    for (const [a, h] of node.held) {
      if (!node.running) this.report('vip-iff-master', `${node.name} is down but holds ${a}`);
      else if (states.get(h.instance) !== 'MASTER') this.report('vip-iff-master', `${node.name}: ${a} held for ${h.instance}, which is ${states.get(h.instance)}`, `vip|${node.name}|${a}`);
    }
  }

  private checkConverged(): void {
    const c = this.cluster;
    this.checks.converged++;
    const byKey = new Map<string, InstanceView[]>();
    for (const v of this.views()) {
      if (!v.eligible) continue;
      let l = byKey.get(v.key);
      if (!l) byKey.set(v.key, (l = []));
      l.push(v);
    }
    for (const [key, list] of byKey) {
      const masters = list.filter((v) => v.core.state === 'MASTER');
      // two masters that hear each other
      for (let i = 0; i < masters.length; i++)
        for (let j = i + 1; j < masters.length; j++) {
          const a = masters[i]!, b = masters[j]!;
          const k = `2m|${key}|${a.node.name}|${b.node.name}`;
          if (c.mutual(a.node.name, b.node.name, a.segments))
            this.report('one-master', `${key}: ${a.core.name} is MASTER on both ${a.node.name} and ${b.node.name}, which hear each other`, k);
          else this.active.delete(k);
        }
      // cliques of mutually reachable nodes: exactly one master, the highest priority
      for (const comp of components(list, (a, b) => c.mutual(a.node.name, b.node.name, a.segments))) {
        const clique = comp.every((a) => comp.every((b) => a === b || c.mutual(a.node.name, b.node.name, a.segments)));
        if (!clique) continue;
        const ms = comp.filter((v) => v.core.state === 'MASTER');
        const names = comp.map((v) => v.node.name).join(',');
        const k0 = `0m|${key}|${names}`;
        // a one-way link may let the clique hear a master outside it: then it rightly stays BACKUP
        const hearsOutside = () => masters.some((m) => !comp.includes(m) && comp.some((v) => c.hears(v.node.name, m.node.name, v.segments)));
        if (ms.length === 0 && !hearsOutside()) this.report('one-master', `${key}: no MASTER among [${names}] (${comp.map((v) => `${v.node.name}:${v.core.state}/${v.core.priority}`).join(' ')})`, k0);
        else this.active.delete(k0);
        if (ms.length !== 1 || !this.enabled.has('highest-priority')) continue;
        const m = ms[0]!;
        for (const b of comp) {
          if (b === m || b.core.settings.nopreempt || b.core.priority <= m.core.priority) continue;
          if (b.core.sync && !groupOutranks(b, comp, byKey)) continue;
          // over a one-way link b may hear another MASTER at least as high as itself: it rightly stays BACKUP
          if (masters.some((o) => o !== m && o.core.priority >= b.core.priority && c.hears(b.node.name, o.node.name, b.segments))) continue;
          this.report(
            'highest-priority',
            `${key}: ${m.node.name} is MASTER of ${m.core.name} with priority ${m.core.priority} while ${b.node.name} has ${b.core.priority} (preempt)`,
            `hp|${key}|${m.node.name}|${b.node.name}`,
          );
        }
      }
    }
  }
}

/**
 * A sync group member can only preempt with its whole group: it is owed the mastership only when
 * every member of its group is eligible and outranks the master of its own VRID.
 */
function groupOutranks(b: InstanceView, _comp: readonly InstanceView[], byKey: Map<string, InstanceView[]>): boolean {
  for (const m of b.core.sync!.members) {
    const list = [...byKey.values()].find((l) => l.some((v) => v.node === b.node && v.core === m));
    if (!list) return false;
    const mine = list.find((v) => v.node === b.node && v.core === m)!;
    if (mine.core.settings.nopreempt) return false;
    const master = list.find((v) => v.core.state === 'MASTER');
    if (!master || master.node === b.node || master.core.priority >= mine.core.priority) return false;
  }
  return true;
}

function components<T>(items: readonly T[], linked: (a: T, b: T) => boolean): T[][] {
  const seen = new Set<T>();
  const out: T[][] = [];
  for (const s of items) {
    if (seen.has(s)) continue;
    const comp: T[] = [s];
    seen.add(s);
    for (let i = 0; i < comp.length; i++)
      for (const o of items)
        if (!seen.has(o) && linked(comp[i]!, o)) {
          seen.add(o);
          comp.push(o);
        }
    out.push(comp);
  }
  return out;
}

export function fmt(us: number): string {
  return `${(us / 1_000_000).toFixed(6)}s`;
}

/** A violation as text: what, when, which seed, and the recent timeline. */
export function formatViolation(v: Violation): string {
  const lines = [`[seed ${v.seed}] ${v.invariant} at t=${fmt(v.t)}: ${v.message}`];
  for (const e of v.recent) lines.push(`  ${formatEntry(e)}`);
  return lines.join('\n');
}

export function formatEntry(e: TimelineEntry): string {
  const parts = [`${fmt(e.t)}`, e.node, e.kind];
  if (e.instance) parts.push(e.instance);
  if (e.from !== undefined) parts.push(`${e.from}->${e.to}`);
  if (e.reason) parts.push(`(${e.reason})`);
  if (e.argv) parts.push(JSON.stringify(e.argv));
  if (e.detail) parts.push(e.detail.trimEnd());
  return parts.join(' ');
}
