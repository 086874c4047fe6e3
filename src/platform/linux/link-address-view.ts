/**
 * The current links and addresses as rtnetlink reported them, pure: link and address
 * notifications (or a whole fresh dump, after the monitor socket overran) go in, the changes
 * they make come out as events. Notifications that change nothing a watcher cares about
 * (a NEWLINK for a statistics or MTU change, a NEWADDR that only updates an address's flags or
 * lifetimes) update the view but emit nothing, so a replayed or re-dumped state never produces
 * duplicate events.
 */
import { type AddressInfo, type Family, type LinkInfo, IFA_F_SECONDARY, RT_SCOPE_LINK } from './netlink-codec.js';

export interface LinkEvent {
  readonly type: 'link';
  readonly index: number;
  readonly name: string;
  /** IFF_UP. */
  readonly up: boolean;
  /** IFF_RUNNING: up and with a carrier. */
  readonly running: boolean;
  /** The link went away (RTM_DELLINK); up and running are then false. */
  readonly removed: boolean;
}

export interface AddressEvent {
  readonly type: 'address';
  readonly added: boolean;
  readonly ifindex: number;
  /** The link's name, '' when the link is not (or no longer) known. */
  readonly ifname: string;
  readonly family: Family;
  readonly address: string;
  readonly prefixLen: number;
}

export type WatchEvent = LinkEvent | AddressEvent;

const addressKey = (a: AddressInfo) => `${a.ifindex} ${a.family} ${a.address}/${a.prefixLen} ${a.peer ?? ''}`;

export class LinkAddressView {
  private readonly linksByIndex = new Map<number, LinkInfo>();
  private readonly linksByName = new Map<string, LinkInfo>();
  /** In the order addresses were first seen (dump order, then arrival), which decides the primary address. */
  private readonly addressesByKey = new Map<string, AddressInfo>();

  /* ------------------------------------------------------------ updates */

  /** RTM_NEWLINK: a new link, or a change to one. */
  linkChanged(l: LinkInfo): WatchEvent[] {
    const old = this.linksByIndex.get(l.index);
    if (old && this.linksByName.get(old.name) === old) this.linksByName.delete(old.name);
    this.linksByIndex.set(l.index, l);
    this.linksByName.set(l.name, l);
    if (old && old.name === l.name && old.up === l.up && old.running === l.running) return [];
    return [{ type: 'link', index: l.index, name: l.name, up: l.up, running: l.running, removed: false }];
  }

  /** RTM_DELLINK: the link and whatever addresses were still listed on it go. */
  linkRemoved(index: number): WatchEvent[] {
    const old = this.linksByIndex.get(index);
    if (!old) return [];
    const events: WatchEvent[] = [];
    for (const a of [...this.addressesByKey.values()]) if (a.ifindex === index) events.push(...this.addressRemoved(a));
    this.linksByIndex.delete(index);
    if (this.linksByName.get(old.name) === old) this.linksByName.delete(old.name);
    events.push({ type: 'link', index, name: old.name, up: false, running: false, removed: true });
    return events;
  }

  /** RTM_NEWADDR: a new address, or new flags/lifetimes for a known one (no event then). */
  addressAdded(a: AddressInfo): WatchEvent[] {
    const key = addressKey(a);
    const known = this.addressesByKey.has(key);
    this.addressesByKey.set(key, a);
    return known ? [] : [this.addressEvent(a, true)];
  }

  /** RTM_DELADDR. */
  addressRemoved(a: AddressInfo): WatchEvent[] {
    const key = addressKey(a);
    if (!this.addressesByKey.delete(key)) return [];
    return [this.addressEvent(a, false)];
  }

  /**
   * A fresh dump replaces the view; the events are the differences: addresses gone, links
   * gone, links new or changed, addresses new. Addresses already known keep their place.
   */
  replaceAll(links: readonly LinkInfo[], addresses: readonly AddressInfo[]): WatchEvent[] {
    const events: WatchEvent[] = [];
    const newKeys = new Set(addresses.map(addressKey));
    for (const [key, a] of [...this.addressesByKey]) if (!newKeys.has(key)) events.push(...this.addressRemoved(a));
    const newIndexes = new Set(links.map((l) => l.index));
    for (const index of [...this.linksByIndex.keys()]) if (!newIndexes.has(index)) events.push(...this.linkRemoved(index));
    for (const l of links) events.push(...this.linkChanged(l));
    for (const a of addresses) events.push(...this.addressAdded(a));
    return events;
  }

  /* ------------------------------------------------------------ queries */

  link(name: string): LinkInfo | undefined {
    return this.linksByName.get(name);
  }

  linkByIndex(index: number): LinkInfo | undefined {
    return this.linksByIndex.get(index);
  }

  links(): LinkInfo[] {
    return [...this.linksByIndex.values()];
  }

  addresses(): AddressInfo[] {
    return [...this.addressesByKey.values()];
  }

  addressesOf(ifname: string): AddressInfo[] {
    const l = this.linksByName.get(ifname);
    if (!l) return [];
    return this.addresses().filter((a) => a.ifindex === l.index);
  }

  /**
   * The address keepalived would use as the link's own (its source address for adverts):
   * IPv4 the first address seen that is not one of `exclude` (keepalived skips its own VIPs),
   * preferring one the kernel does not mark secondary; IPv6 the first link-local address.
   */
  primaryAddress(ifname: string, family: Family, exclude: (address: string) => boolean = () => false): string | undefined {
    const candidates = this.addressesOf(ifname).filter((a) => a.family === family && !exclude(a.address));
    if (family === 'inet6') return candidates.find((a) => a.scope === RT_SCOPE_LINK)?.address;
    return (candidates.find((a) => !(a.flags & IFA_F_SECONDARY)) ?? candidates[0])?.address;
  }

  private addressEvent(a: AddressInfo, added: boolean): AddressEvent {
    return {
      type: 'address',
      added,
      ifindex: a.ifindex,
      ifname: this.linksByIndex.get(a.ifindex)?.name ?? '',
      family: a.family,
      address: a.address,
      prefixLen: a.prefixLen,
    };
  }
}
