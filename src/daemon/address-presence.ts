/**
 * Which addresses this host holds, for the health-checker process: the virtual servers' data plane
 * serves a VIP only while it is here (the VRRP MASTER), and ha_suspend pauses checkers while it is
 * not. The VRRP process owns the VIPs; this process only watches them come and go (keepalived's
 * checker process does the same with its own netlink monitor socket).
 */
import { familyOf, inetPton } from '../config/entries/inet.js';
import { LinkWatcher } from '../platform/linux/link-watch.js';

export interface AddressSource {
  /** Addresses present now (canonical text), once per interface holding each. */
  present(): string[];
  /** Every later addition or removal (canonical text). */
  onChange(listener: (address: string, added: boolean) => void): void;
  close(): void;
}

/** One spelling per address ("10.0.0.1", RFC 5952 IPv6), whatever the config or netlink wrote. */
export function canonicalAddress(text: string): string {
  const bare = text.replace(/\/\d+$/, '').replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  return inetPton(familyOf(bare), bare) ?? bare;
}

/** The real host's addresses, from a netlink monitor socket (link-watch.ts). */
export class LinuxAddressSource implements AddressSource {
  private readonly watcher: LinkWatcher;

  constructor(report: (message: string) => void) {
    this.watcher = new LinkWatcher({ report });
  }

  present(): string[] {
    return this.watcher.addresses().map((a) => canonicalAddress(a.address));
  }

  onChange(listener: (address: string, added: boolean) => void): void {
    this.watcher.onEvent((e) => {
      if (e.type === 'address') listener(canonicalAddress(e.address), e.added);
    });
  }

  close(): void {
    this.watcher.close();
  }
}
