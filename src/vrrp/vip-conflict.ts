/**
 * VIP conflict detection (a keepalived-ts extension, `vip_conflict_probe_interval`): while an
 * instance holds its VIPs it probes them now and then (ARP probe / duplicate address detection
 * NS), and any ARP or neighbour discovery packet that claims one of them from a MAC that is not
 * ours means another host holds it too — a split brain, whatever its cause (VRRP dropped by a
 * firewall, different virtual_router_ids, a plain keepalived configured for the same VIP).
 *
 * Pure, like the other cores: events in (addresses held / released, probe due, a neighbour packet
 * seen), actions out (send a probe, a conflict started, a conflict cleared). Time is a number (µs).
 * One watch per VRRP instance; the Linux driver and the simulator feed it the same way.
 */
import type { NotifySettings } from './instance-settings.js';
import type { Action } from './instance-types.js';
import { fifoLine } from './notify.js';
import { addressToBytes, bytesToAddress } from './packet.js';

/** How long a VIP stays "also held" without the other holder answering: this many probes. */
export const DEFAULT_CLEAR_AFTER_PROBES = 3;

/** The default probe interval (µs): `vip_conflict_probe_interval 2`. */
export const DEFAULT_PROBE_INTERVAL_US = 2_000_000;

/** What kind of packet claimed the address (for the log line). */
export type SightingKind = 'arp-reply' | 'arp-request' | 'gratuitous-arp' | 'neighbour-advert' | 'neighbour-solicitation';

export interface ProbedAddress {
  readonly address: string;
  readonly family: 'inet' | 'inet6';
  readonly ifname: string;
}

export type ConflictEvent =
  /** The instance put these addresses on its interfaces (it became MASTER). */
  | { readonly type: 'held'; readonly now: number; readonly addresses: readonly ProbedAddress[] }
  /** The instance removed them (it left MASTER, or stops). */
  | { readonly type: 'released'; readonly now: number; readonly addresses: readonly string[] }
  /** The timer the watch asked for (nextWakeup) fired. */
  | { readonly type: 'probe-due'; readonly now: number }
  /** An ARP / ND packet on `ifname` claims `address` for `mac`. */
  | { readonly type: 'neighbour-seen'; readonly now: number; readonly ifname: string; readonly address: string; readonly mac: string; readonly how: SightingKind };

export interface ActiveConflict {
  readonly address: string;
  readonly mac: string;
  readonly ifname: string;
  readonly how: SightingKind;
  /** When it started (µs, the cores' clock). */
  readonly since: number;
}

export type ConflictAction =
  | { readonly type: 'send-probe'; readonly owner: string; readonly address: string; readonly family: 'inet' | 'inet6'; readonly ifname: string }
  | ({ readonly type: 'conflict-started'; readonly owner: string } & ActiveConflict)
  | ({ readonly type: 'conflict-cleared'; readonly owner: string; readonly reason: 'unanswered' | 'released' } & ActiveConflict);

export interface ConflictSettings {
  /** µs between probe rounds; 0 turns the whole watch off. */
  readonly probeIntervalUs: number;
  /** Probes in a row without a sighting before a conflict is cleared. */
  readonly clearAfterProbes?: number;
  /** MACs that are ours although the interface's own MAC is not (the instance's VMAC). */
  readonly ignoredMacs?: readonly string[];
}

interface Tracked extends ActiveConflict {
  seenSinceProbe: boolean;
  unanswered: number;
}

/** Canonical text of an address (as the config model and the frame parser write it), or undefined. */
export function canonicalIp(family: 'inet' | 'inet6', text: string): string | undefined {
  try {
    return bytesToAddress(family, addressToBytes(family, text));
  } catch {
    return undefined;
  }
}

const familyOf = (address: string): 'inet' | 'inet6' => (address.includes(':') ? 'inet6' : 'inet');

/** The VRRP virtual MAC of a VRID (RFC 5798 §7.3): 00:00:5e:00:01:VRID, 00:00:5e:00:02:VRID for IPv6. */
export function vrrpVirtualMac(family: 'inet' | 'inet6', vrid: number): string {
  return `00:00:5e:00:0${family === 'inet6' ? 2 : 1}:${(vrid & 0xff).toString(16).padStart(2, '0')}`;
}

export class VipConflictWatch {
  /** Conflicts started since the watch was created (a reload keeps the watch). */
  count = 0;
  private readonly held = new Map<string, ProbedAddress>();
  private readonly tracked = new Map<string, Tracked>();
  private nextProbe: number | undefined;
  private settings: Required<ConflictSettings>;

  constructor(
    public owner: string,
    settings: ConflictSettings,
  ) {
    this.settings = resolve(settings);
  }

  get enabled(): boolean {
    return this.settings.probeIntervalUs > 0;
  }

  /** The conflicts going on now, oldest first. */
  get active(): readonly ActiveConflict[] {
    return [...this.tracked.values()].map(({ address, mac, ifname, how, since }) => ({ address, mac, ifname, how, since }));
  }

  /** The addresses being probed, in the order they were taken. */
  get probed(): readonly ProbedAddress[] {
    return [...this.held.values()];
  }

  /** When the watch wants a probe-due event (undefined: nothing held, or the watch is off). */
  nextWakeup(): number | undefined {
    return this.nextProbe;
  }

  /** A reload: new settings; a changed interval takes effect from the next probe on. */
  configure(settings: ConflictSettings, now: number): ConflictAction[] {
    const before = this.settings.probeIntervalUs;
    this.settings = resolve(settings);
    if (!this.enabled) {
      this.nextProbe = undefined;
      return this.clearAll('released');
    }
    if (this.held.size && (this.nextProbe === undefined || before !== this.settings.probeIntervalUs)) this.nextProbe = now + this.settings.probeIntervalUs;
    return [];
  }

  handle(ev: ConflictEvent): ConflictAction[] {
    if (!this.enabled) return [];
    switch (ev.type) {
      case 'held':
        return this.onHeld(ev.now, ev.addresses);
      case 'released':
        return this.onReleased(ev.addresses);
      case 'probe-due':
        return this.onProbeDue(ev.now);
      case 'neighbour-seen':
        return this.onSeen(ev);
    }
  }

  private onHeld(now: number, addresses: readonly ProbedAddress[]): ConflictAction[] {
    for (const a of addresses) {
      const address = canonicalIp(a.family, a.address);
      if (address !== undefined) this.held.set(address, { ...a, address });
    }
    // the first probe waits one interval: a master being preempted may still hold the address for
    // the few milliseconds its higher-priority advert takes, and that is no split brain
    if (this.held.size && this.nextProbe === undefined) this.nextProbe = now + this.settings.probeIntervalUs;
    return [];
  }

  private onReleased(addresses: readonly string[]): ConflictAction[] {
    const out: ConflictAction[] = [];
    for (const text of addresses) {
      const address = canonicalIp(familyOf(text), text);
      if (address === undefined || !this.held.delete(address)) continue;
      for (const [key, t] of this.tracked)
        if (t.address === address) {
          this.tracked.delete(key);
          out.push(cleared(this.owner, t, 'released'));
        }
    }
    if (!this.held.size) this.nextProbe = undefined;
    return out;
  }

  private onProbeDue(now: number): ConflictAction[] {
    if (this.nextProbe === undefined || now < this.nextProbe) return [];
    const out: ConflictAction[] = [];
    // answers to the previous round arrived since it was sent: age every conflict first
    for (const [key, t] of this.tracked) {
      t.unanswered = t.seenSinceProbe ? 0 : t.unanswered + 1;
      t.seenSinceProbe = false;
      if (t.unanswered >= this.settings.clearAfterProbes) {
        this.tracked.delete(key);
        out.push(cleared(this.owner, t, 'unanswered'));
      }
    }
    for (const a of this.held.values()) out.push({ type: 'send-probe', owner: this.owner, address: a.address, family: a.family, ifname: a.ifname });
    this.nextProbe = now + this.settings.probeIntervalUs;
    return out;
  }

  private onSeen(ev: Extract<ConflictEvent, { type: 'neighbour-seen' }>): ConflictAction[] {
    const address = canonicalIp(familyOf(ev.address), ev.address);
    if (address === undefined) return [];
    const h = this.held.get(address);
    if (!h || h.ifname !== ev.ifname) return [];
    const mac = ev.mac.toLowerCase();
    if (this.settings.ignoredMacs.includes(mac)) return [];
    const key = `${address} ${mac}`;
    const known = this.tracked.get(key);
    if (known) {
      known.seenSinceProbe = true;
      return [];
    }
    const t: Tracked = { address, mac, ifname: ev.ifname, how: ev.how, since: ev.now, seenSinceProbe: true, unanswered: 0 };
    this.tracked.set(key, t);
    this.count++;
    return [{ type: 'conflict-started', owner: this.owner, address, mac, ifname: ev.ifname, how: ev.how, since: ev.now }];
  }

  private clearAll(reason: 'unanswered' | 'released'): ConflictAction[] {
    const out = [...this.tracked.values()].map((t) => cleared(this.owner, t, reason));
    this.tracked.clear();
    return out;
  }
}

function resolve(s: ConflictSettings): Required<ConflictSettings> {
  return {
    probeIntervalUs: Math.max(0, s.probeIntervalUs),
    clearAfterProbes: Math.max(1, s.clearAfterProbes ?? DEFAULT_CLEAR_AFTER_PROBES),
    ignoredMacs: (s.ignoredMacs ?? []).map((m) => m.toLowerCase()),
  };
}

function cleared(owner: string, t: Tracked, reason: 'unanswered' | 'released'): ConflictAction {
  return { type: 'conflict-cleared', owner, address: t.address, mac: t.mac, ifname: t.ifname, how: t.how, since: t.since, reason };
}

const HOW_TEXT: Record<SightingKind, string> = {
  'arp-reply': 'ARP reply',
  'arp-request': 'ARP request',
  'gratuitous-arp': 'gratuitous ARP',
  'neighbour-advert': 'neighbour advert',
  'neighbour-solicitation': 'neighbour solicitation',
};

/** The log line of a conflict that started, in keepalived's "(INSTANCE) …" style. */
export function conflictStartedMessage(a: Extract<ConflictAction, { type: 'conflict-started' }>): string {
  return `(${a.owner}) VIP ${a.address} is also held by ${a.mac} (${HOW_TEXT[a.how]} on ${a.ifname}) - split brain?`;
}

export function conflictClearedMessage(a: Extract<ConflictAction, { type: 'conflict-cleared' }>): string {
  return `(${a.owner}) VIP ${a.address} conflict with ${a.mac} cleared${a.reason === 'released' ? ' (address released)' : ''}`;
}

/**
 * What a conflict action means for the operator, as the instance cores' actions: the log line;
 * for a conflict that starts, the generic `notify` script with
 * `INSTANCE NAME CONFLICT PRIORITY VIP MAC` appended (keepalived's generic argv plus the address
 * and the other holder's MAC) and the FIFO line `INSTANCE "NAME" CONFLICT PRIORITY VIP MAC`.
 * Probes are the driver's business: nothing here.
 */
export function conflictReportActions(a: ConflictAction, notify: NotifySettings | undefined, priority: number): Action[] {
  if (a.type === 'send-probe') return [];
  if (a.type === 'conflict-cleared') return [{ type: 'log', owner: a.owner, message: conflictClearedMessage(a) }];
  const out: Action[] = [{ type: 'log', owner: a.owner, message: conflictStartedMessage(a) }];
  const extra = [a.address, a.mac];
  if (notify?.generic) out.push({ type: 'run-script', owner: a.owner, kind: 'notify', argv: [...notify.generic, 'INSTANCE', a.owner, 'CONFLICT', String(priority), ...extra] });
  out.push({ type: 'fifo', owner: a.owner, line: fifoLine('INSTANCE', a.owner, 'CONFLICT', priority).replace(/\n$/, ` ${extra.join(' ')}\n`) });
  return out;
}
