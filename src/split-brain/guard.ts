/**
 * The split-brain guard of one director: one MajorityCore per VRRP group (a lone instance, or a
 * sync group voting as one) next to the VRRP engine. It watches the instance cores, feeds their
 * view to the majority cores, turns majority changes into 'majority' events for the engine and
 * votes/requests into datagrams. Pure, like the cores: drivers (sim, linux) move the datagrams
 * and call sync() after every engine dispatch.
 */
import type { VrrpEngine } from '../vrrp/engine.js';
import type { VrrpInstanceCore } from '../vrrp/instance.js';
import type { Action } from '../vrrp/instance-types.js';
import { decodeMessage, encodeMessage, type SplitBrainMessage } from './messages.js';
import { MajorityCore, type LocalView, type MajorityAction, type MajoritySnapshot } from './majority.js';

export interface GuardConfig {
  /** HMAC key of every message. */
  readonly secret: string;
  /** A witness is configured (requests go to the driver's 'witness' destination). */
  readonly witness: boolean;
  /** Lease of votes and grants, µs; undefined: 3 × each group's advert interval. */
  readonly leaseUs: number | undefined;
  /** Peer directors of groups whose instances have no unicast_peer. */
  readonly votePeers: readonly string[];
}

/** `to`: a peer director's address, or 'witness'. */
export interface Datagram {
  readonly to: string;
  readonly payload: Uint8Array;
}

export interface GuardResult {
  /** Actions of the VRRP engine the 'majority' events caused (execute them like any other). */
  readonly actions: Action[];
  readonly datagrams: Datagram[];
}

export interface GuardCounters {
  received: number;
  sent: number;
  /** Dropped: not a message of ours, wrong version, failed authentication, malformed … */
  rejected: Record<string, number>;
  /** Authentic, but for a group this director does not run. */
  unknownGroup: number;
}

interface Group {
  readonly key: string;
  readonly members: readonly VrrpInstanceCore[];
  core: MajorityCore | undefined;
  /** What the instance cores were last told (undefined: nothing yet). */
  delivered: boolean | undefined;
}

/**
 * The group's name on the wire, the same on every director however it names its instances:
 * family/VRID of each member, sorted.
 */
export function groupKey(members: readonly VrrpInstanceCore[]): string {
  return members
    .map((m) => `${m.settings.family === 'inet' ? 'v4' : 'v6'}/${m.settings.vrid}`)
    .sort()
    .join('+');
}

export class SplitBrainGuard {
  private readonly groups: Group[] = [];
  private readonly byKey = new Map<string, Group>();
  readonly counters: GuardCounters = { received: 0, sent: 0, rejected: {}, unknownGroup: 0 };

  /**
   * `previous`: the guard of the engine a reload replaced; a group with the same name and
   * settings keeps its votes and grants (a MASTER kept over a reload keeps its majority).
   */
  constructor(
    engine: VrrpEngine,
    private readonly config: GuardConfig,
    private readonly nonceSeed: string,
    private readonly previous?: SplitBrainGuard,
  ) {
    const seen = new Set<VrrpInstanceCore>();
    for (const g of engine.groups) {
      const members = g.members.filter((m) => m.settings.majorityRequired);
      if (!members.length) continue;
      for (const m of members) seen.add(m);
      this.add(members);
    }
    for (const i of engine.instances) if (!seen.has(i) && !i.sync && i.settings.majorityRequired) this.add([i]);
  }

  private add(members: readonly VrrpInstanceCore[]): void {
    const group: Group = { key: groupKey(members), members, core: undefined, delivered: undefined };
    this.groups.push(group);
    this.byKey.set(group.key, group);
  }

  /** Feed the instance cores' current state to the majority cores (after every engine dispatch). */
  sync(now: number): GuardResult {
    const result: GuardResult = { actions: [], datagrams: [] };
    for (const g of this.groups) this.settle(now, g, (core) => core.update(now, viewOf(g, now)), result);
    return result;
  }

  /** One datagram from the network (any source). */
  receive(now: number, bytes: Uint8Array): GuardResult {
    const result: GuardResult = { actions: [], datagrams: [] };
    this.counters.received++;
    const r = decodeMessage(bytes, this.config.secret);
    if (!r.ok) {
      this.counters.rejected[r.reason] = (this.counters.rejected[r.reason] ?? 0) + 1;
      return result;
    }
    const m = r.message;
    const g = this.byKey.get(m.group);
    if (!g) {
      this.counters.unknownGroup++;
      return result;
    }
    this.ensureCore(g);
    if (!g.core) return result;
    this.settle(now, g, (core) => this.dispatch(now, core, m), result);
    return result;
  }

  tick(now: number): GuardResult {
    const result: GuardResult = { actions: [], datagrams: [] };
    for (const g of this.groups) {
      const w = g.core?.nextWakeup();
      if (w !== undefined && w <= now) this.settle(now, g, (core) => core.update(now, viewOf(g, now)), result);
    }
    return result;
  }

  nextWakeup(): number | undefined {
    let t: number | undefined;
    for (const g of this.groups) {
      const w = g.core?.nextWakeup();
      if (w !== undefined && (t === undefined || w < t)) t = w;
    }
    return t;
  }

  /** Per instance name: its group's majority bookkeeping (for status). */
  snapshot(now: number): Record<string, MajoritySnapshot & { group: string }> {
    const out: Record<string, MajoritySnapshot & { group: string }> = {};
    for (const g of this.groups) {
      if (!g.core) continue;
      const s = { group: g.key, ...g.core.snapshot(now) };
      for (const m of g.members) out[m.name] = s;
    }
    return out;
  }

  /** The majority core of the group an instance belongs to (tests, status). */
  coreOf(instance: string): MajorityCore | undefined {
    return this.groups.find((g) => g.members.some((m) => m.name === instance))?.core;
  }

  /* ------------------------------------------------------------------ internals */

  private ensureCore(g: Group): void {
    if (g.core) return;
    const lead = g.members[0]!;
    const self = lead.source;
    if (self === undefined) return;
    const own = lead.settings.unicastPeers.length ? lead.settings.unicastPeers : this.config.votePeers;
    const peers = [...new Set(own)].filter((p) => p !== self);
    const settings = {
      group: g.key,
      self,
      peers,
      witness: this.config.witness,
      intervalUs: lead.settings.advertInt,
      // votes and requests go out once per advert interval: a lease shorter than two of them
      // would lapse between refreshes, so that is the floor
      leaseUs: Math.max(this.config.leaseUs ?? 3 * lead.settings.advertInt, 2 * lead.settings.advertInt),
    };
    const old = this.previous?.byKey.get(g.key)?.core;
    g.core = old && JSON.stringify(old.settings) === JSON.stringify(settings) ? old : new MajorityCore(settings, `${this.nonceSeed}-${g.key}`);
  }

  private dispatch(now: number, core: MajorityCore, m: SplitBrainMessage): MajorityAction[] {
    switch (m.type) {
      case 'vote':
        return core.onVote(now, m);
      case 'grant':
        return core.onGrant(now, m);
      case 'deny':
        return core.onDeny(now, m);
      default:
        // requests and releases are for the witness, not for a director
        this.counters.rejected['not-for-director'] = (this.counters.rejected['not-for-director'] ?? 0) + 1;
        return [];
    }
  }

  /**
   * Run one step of a group's core, then carry out what it says; a majority change makes the
   * instances change state, which the core must see in turn (a few rounds at most).
   */
  private settle(now: number, g: Group, step: (core: MajorityCore) => MajorityAction[], result: GuardResult): void {
    this.ensureCore(g);
    const core = g.core;
    if (!core) return;
    let actions = step(core);
    for (let round = 0; round < 8; round++) {
      let reason: string | undefined;
      for (const a of actions) {
        if (a.type === 'send-vote') this.send(result, a.to, a.message);
        else if (a.type === 'send-witness') this.send(result, 'witness', a.message);
        else reason = a.reason;
      }
      // the instance cores learn every change (and, after a reload, the majority a kept core holds)
      if (core.held === g.delivered) break;
      g.delivered = core.held;
      result.actions.push(...g.members[0]!.handle({ type: 'majority', now, held: core.held, reason: reason ?? core.reason(now) }));
      actions = core.update(now, viewOf(g, now));
    }
  }

  private send(result: GuardResult, to: string, message: SplitBrainMessage): void {
    this.counters.sent++;
    result.datagrams.push({ to, payload: encodeMessage(message, this.config.secret) });
  }
}

function viewOf(g: Group, now: number): LocalView {
  const lead = g.members[0]!;
  const master = g.members.some((m) => m.state === 'MASTER');
  // A master unheard for two advert intervals gets no new votes: the sooner a backup stops voting
  // for a dead master, the sooner its vote (bound for a lease) is free for itself.
  const heardUntil = lead.masterHeardAt === undefined ? undefined : lead.masterHeardAt + 2 * lead.masterAdverInt;
  const hearing = lead.state === 'BACKUP' && heardUntil !== undefined && now < heardUntil ? lead.masterSource : undefined;
  return {
    state: master ? 'MASTER' : lead.state,
    candidate: g.members.some((m) => m.awaitingMajority),
    heardMaster: hearing,
    ...(hearing !== undefined ? { heardUntil } : {}),
    priority: lead.priority,
  };
}
