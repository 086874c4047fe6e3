/**
 * Vote and lease bookkeeping of one VRRP group (an instance, or a sync group as one) on one
 * director: who this director votes for, which votes it holds, and so whether it holds a
 * majority of the group's voters (itself, each peer director, the witness if configured).
 * Pure: events and the time (this director's monotonic clock, µs) in, actions out.
 *
 * Every vote is a lease, and every lease is counted by its holder from a time the GIVER had
 * already passed when it gave it, minus a margin, so the holder always stops counting before the
 * giver feels free to give it to someone else:
 * - a peer's vote counts from the stamp of ours it echoes (we sent that stamp before the peer sent
 *   its vote) until stamp + voteLease − margin;
 * - a voter that voted for X votes for nobody else (itself included) until voteLease after its
 *   last vote for X left;
 * - the witness's grant counts from when we SENT the granted request (the witness started the
 *   lease later, on receipt) until then + lease − margin.
 * Assumption about clocks: only their RATES matter, never their offsets. The margin (a fifth of
 * the lease) absorbs a rate difference far beyond any real clock's (ppm), plus the lateness of
 * our own timer and the time it takes to remove the VIPs once the majority is gone.
 *
 * (The design note in the brief counted a peer vote for the master-down interval after RECEIPT;
 * receipt-based counting is unsafe when a vote is delayed in the network or the voter changes its
 * vote, so votes carry stamps and echoes instead: same cost, no timing assumption.)
 *
 * Whom a director votes for (the target):
 * - MASTER: itself, unless a peer claims the group with a better VRRP rank (priority, then
 *   address): then that peer (this director yields, as VRRP's master yields to a higher advert);
 * - BACKUP hearing a master it accepts: that master;
 * - candidate (BACKUP whose master-down timer fired): the best of itself and the claiming peers;
 * - otherwise (BACKUP hearing nobody, FAULT …): the best claiming peer, if any.
 * A peer "claims" when its latest vote (within two vote intervals) is for itself.
 */
import type { DenyMessage, GrantMessage, ReleaseMessage, RequestMessage, VoteMessage } from './messages.js';

export interface MajoritySettings {
  /** The group's key on the wire (same on every director): see groupKey() in guard.ts. */
  readonly group: string;
  /** This director (its VRRP source address for the group). */
  readonly self: string;
  /** The other directors of the group (their VRRP source addresses). */
  readonly peers: readonly string[];
  readonly witness: boolean;
  /** How often votes (and, when wanted, witness requests) go out: the advert interval, µs. */
  readonly intervalUs: number;
  /** How long a vote or a witness grant lasts, µs. */
  readonly leaseUs: number;
}

/** What the VRRP instance core says about this director's group. */
export interface LocalView {
  readonly state: string;
  /** Its master-down timer fired: it would be MASTER with a majority. */
  readonly candidate: boolean;
  /** The master this BACKUP currently hears and accepts (its address). */
  readonly heardMaster: string | undefined;
  /** Until when heardMaster stays true without another advert (µs), so the core wakes then. */
  readonly heardUntil?: number;
  readonly priority: number;
}

export type MajorityAction =
  | { readonly type: 'send-vote'; readonly to: string; readonly message: VoteMessage }
  | { readonly type: 'send-witness'; readonly message: RequestMessage | ReleaseMessage }
  | { readonly type: 'majority'; readonly held: boolean; readonly reason: string };

/** The margin a lease holder gives up early (see the clock assumption above). */
export function safetyMarginUs(leaseUs: number): number {
  return Math.ceil(leaseUs / 5);
}

interface PeerState {
  /** The peer's latest stamp (echoed back in our votes to it); -1: none yet. */
  stamp: number;
  receivedAt: number;
  for: string;
  candidate: boolean;
  priority: number;
  /** Until when its vote for us counts (0: it does not). */
  countUntil: number;
}

export interface VoteView {
  readonly node: string;
  readonly for: string;
  /** ms its vote for this director still counts; null: it does not count. */
  readonly countsMs: number | null;
}

export interface MajoritySnapshot {
  readonly required: true;
  readonly held: boolean;
  readonly voters: number;
  readonly needed: number;
  /** Whom this director votes for ('' = abstains). */
  readonly votingFor: string;
  readonly votes: readonly VoteView[];
  readonly witness: { readonly lease: number | null; readonly holder: string | null } | null;
}

export class MajorityCore {
  readonly settings: MajoritySettings;
  private view: LocalView = { state: 'INIT', candidate: false, heardMaster: undefined, priority: 0 };
  private readonly peers = new Map<string, PeerState>();
  /** Whom we voted for last ('' = nobody). */
  private target = '';
  /** The last other director we voted for, and until when that binds us. */
  private lock: { target: string; until: number } | undefined;
  private readonly outstanding = new Map<string, number>();
  private grantUntil = 0;
  private witnessHolder: string | null = null;
  private nextSendAt = 0;
  private heldReported = false;
  private nonceCounter = 0;
  /** The time of the latest event: wakeups are only ever asked for after it. */
  private lastNow = 0;
  private readonly nonceBase: string;
  private readonly margin: number;
  /** Messages that reached this core but could not count (stale grant, unknown peer …). */
  readonly ignored = { unknownPeer: 0, staleGrant: 0 };

  constructor(settings: MajoritySettings, nonceSeed: string) {
    this.settings = settings;
    this.margin = safetyMarginUs(settings.leaseUs);
    this.nonceBase = nonceSeed;
    for (const p of settings.peers) this.peers.set(p, { stamp: -1, receivedAt: -Infinity, for: '', candidate: false, priority: 0, countUntil: 0 });
  }

  get voters(): number {
    return 1 + this.settings.peers.length + (this.settings.witness ? 1 : 0);
  }
  get needed(): number {
    return Math.floor(this.voters / 2) + 1;
  }
  get held(): boolean {
    return this.heldReported;
  }

  /** Why the majority is held or not, now (for logs). */
  reason(now: number): string {
    return this.holds(now).reason;
  }

  /** The instance core's view changed (or may have): re-decide. */
  update(now: number, view: LocalView): MajorityAction[] {
    const out: MajorityAction[] = [];
    const wasMaster = this.view.state === 'MASTER';
    const wasCandidate = this.view.candidate;
    this.view = view;
    if (wasMaster && view.state !== 'MASTER' && this.settings.witness && this.grantUntil > now) {
      // the VIPs are gone: free the witness's lease for the other side at once
      this.grantUntil = 0;
      out.push({ type: 'send-witness', message: { type: 'release', group: this.settings.group, node: this.settings.self } });
    }
    this.evaluate(now, out, !wasCandidate && view.candidate);
    return out;
  }

  onVote(now: number, vote: VoteMessage): MajorityAction[] {
    const p = this.peers.get(vote.node);
    if (!p) {
      this.ignored.unknownPeer++;
      return [];
    }
    const fresh = vote.stamp > p.stamp;
    p.stamp = vote.stamp;
    p.receivedAt = now;
    p.for = vote.for;
    p.candidate = vote.candidate;
    p.priority = vote.priority;
    // A vote for someone else does not cancel the count of an earlier vote for us: the voter is
    // bound by that one until its lease ends anyway, and keeping it rides out a lost advert.
    if (vote.for === this.settings.self && vote.echo >= 0 && vote.echo <= now)
      p.countUntil = Math.max(p.countUntil, vote.echo + this.settings.leaseUs - this.margin);
    const out: MajorityAction[] = [];
    this.evaluate(now, out, false);
    // Answer the one we vote for at once, echoing its fresh stamp: its count of our vote then runs
    // nearly a whole lease from now instead of from our last periodic vote. (It does not vote for
    // us, so this never ping-pongs.)
    if (fresh && this.target === vote.node && !out.some((a) => a.type === 'send-vote')) out.unshift(this.voteMessage(now, vote.node, p));
    return out;
  }

  onGrant(now: number, grant: GrantMessage): MajorityAction[] {
    const sentAt = this.outstanding.get(grant.nonce);
    if (sentAt === undefined || grant.node !== this.settings.self) {
      this.ignored.staleGrant++;
      return [];
    }
    this.outstanding.delete(grant.nonce);
    this.witnessHolder = this.settings.self;
    const lease = Math.min(grant.lease, this.settings.leaseUs);
    this.grantUntil = Math.max(this.grantUntil, sentAt + lease - this.margin);
    const out: MajorityAction[] = [];
    this.evaluate(now, out, false);
    return out;
  }

  onDeny(now: number, deny: DenyMessage): MajorityAction[] {
    if (!this.outstanding.delete(deny.nonce) || deny.node !== this.settings.self) {
      this.ignored.staleGrant++;
      return [];
    }
    this.witnessHolder = deny.holder === '' ? null : deny.holder;
    // someone else holds it now: whatever we believed, the witness no longer counts for us.
    // ('' is the witness's start-up quiet period: a grant from its previous life still runs.)
    if (deny.holder !== '' && deny.holder !== this.settings.self) this.grantUntil = 0;
    const out: MajorityAction[] = [];
    this.evaluate(now, out, false);
    return out;
  }

  /** Timers: the periodic votes/requests and the end of leases. */
  tick(now: number): MajorityAction[] {
    const out: MajorityAction[] = [];
    this.evaluate(now, out, false);
    return out;
  }

  nextWakeup(): number | undefined {
    let t = this.nextSendAt;
    const consider = (x: number) => {
      if (x > this.lastNow && x < t) t = x;
    };
    for (const p of this.peers.values()) {
      consider(p.countUntil);
      if (Number.isFinite(p.receivedAt)) consider(p.receivedAt + this.settings.leaseUs);
    }
    if (this.lock) consider(this.lock.until);
    if (this.view.heardUntil !== undefined) consider(this.view.heardUntil);
    for (const p of this.peers.values()) if (Number.isFinite(p.receivedAt)) consider(p.receivedAt + this.claimWindow);
    consider(this.grantUntil);
    return t;
  }

  snapshot(now: number): MajoritySnapshot {
    const votes: VoteView[] = [...this.peers.entries()].map(([node, p]) => ({
      node,
      for: Number.isFinite(p.receivedAt) && p.receivedAt + this.settings.leaseUs > now ? p.for : '',
      countsMs: p.countUntil > now ? Math.ceil((p.countUntil - now) / 1000) : null,
    }));
    return {
      required: true,
      held: this.heldReported,
      voters: this.voters,
      needed: this.needed,
      votingFor: this.target,
      votes,
      witness: this.settings.witness
        ? { lease: this.grantUntil > now ? Math.ceil((this.grantUntil - now) / 1000) : null, holder: this.witnessHolder }
        : null,
    };
  }

  /* ------------------------------------------------------------------ decisions */

  private evaluate(now: number, out: MajorityAction[], becameCandidate: boolean): void {
    this.lastNow = now;
    const wanted = this.wantedTarget(now);
    const target = this.lock && this.lock.target !== wanted && now < this.lock.until ? '' : wanted;
    const changed = target !== this.target;
    this.target = target;
    const periodic = now >= this.nextSendAt;
    if (changed || periodic) this.sendVotes(now, out);
    const wantsLease = this.settings.witness && wanted === this.settings.self && (this.view.state === 'MASTER' || this.view.candidate);
    if (wantsLease && (periodic || becameCandidate || changed)) this.request(now, out);
    if (periodic) {
      this.nextSendAt = now + this.settings.intervalUs;
      for (const [nonce, at] of this.outstanding) if (at + this.settings.leaseUs <= now) this.outstanding.delete(nonce);
    }
    const { held, reason } = this.holds(now);
    if (held !== this.heldReported) {
      this.heldReported = held;
      out.push({ type: 'majority', held, reason });
    }
  }

  private wantedTarget(now: number): string {
    const self = this.settings.self;
    const best = this.bestClaim(now);
    const beatsSelf = best !== undefined && outranks(best.priority, best.node, this.view.priority, self);
    if (this.view.state === 'MASTER') return beatsSelf ? best.node : self;
    if (this.view.state === 'BACKUP' && this.view.heardMaster !== undefined && !this.view.candidate) return this.view.heardMaster;
    if (this.view.state === 'BACKUP' && this.view.candidate) return beatsSelf ? best.node : self;
    return best?.node ?? '';
  }

  /** A claim is fresh for two vote intervals: a peer that went silent soon stops collecting votes. */
  private get claimWindow(): number {
    return 2 * this.settings.intervalUs;
  }

  /** The best-ranked peer whose latest vote (within the claim window) is for itself. */
  private bestClaim(now: number): { node: string; priority: number } | undefined {
    let best: { node: string; priority: number } | undefined;
    for (const [node, p] of this.peers) {
      if (p.for !== node || p.receivedAt + this.claimWindow <= now) continue;
      if (!best || outranks(p.priority, node, best.priority, best.node)) best = { node, priority: p.priority };
    }
    return best;
  }

  private holds(now: number): { held: boolean; reason: string } {
    if (this.target !== this.settings.self) {
      return { held: false, reason: this.target ? `voting for ${this.target}` : 'not voting for itself' };
    }
    const from: string[] = ['itself'];
    for (const [node, p] of this.peers) if (p.countUntil > now) from.push(node);
    if (this.settings.witness && this.grantUntil > now) from.push('witness');
    const held = from.length >= this.needed;
    return { held, reason: `${from.length} of ${this.voters} votes: ${from.join(', ')}` };
  }

  private sendVotes(now: number, out: MajorityAction[]): void {
    for (const [peer, p] of this.peers) out.push(this.voteMessage(now, peer, p));
  }

  private voteMessage(now: number, peer: string, p: PeerState): MajorityAction {
    if (this.target && this.target !== this.settings.self) this.lock = { target: this.target, until: now + this.settings.leaseUs };
    return {
      type: 'send-vote',
      to: peer,
      message: {
        type: 'vote',
        group: this.settings.group,
        node: this.settings.self,
        stamp: now,
        echo: p.stamp,
        for: this.target,
        candidate: this.view.candidate,
        priority: this.view.priority,
      },
    };
  }

  private request(now: number, out: MajorityAction[]): void {
    const nonce = `${this.nonceBase}-${++this.nonceCounter}`;
    this.outstanding.set(nonce, now);
    out.push({
      type: 'send-witness',
      message: { type: 'request', group: this.settings.group, node: this.settings.self, nonce, lease: this.settings.leaseUs },
    });
  }
}

/** VRRP's ranking: higher priority, then higher address. */
export function outranks(priorityA: number, addressA: string, priorityB: number, addressB: string): boolean {
  if (priorityA !== priorityB) return priorityA > priorityB;
  return compareAddressText(addressA, addressB) > 0;
}

function compareAddressText(a: string, b: string): number {
  const na = addressBytes(a);
  const nb = addressBytes(b);
  for (let i = 0; i < Math.max(na.length, nb.length); i++) {
    const d = (na[i] ?? 0) - (nb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function addressBytes(a: string): number[] {
  if (!a.includes(':')) return a.split('.').map((x) => Number(x) || 0);
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16) || 0);
}
