/**
 * no_accept (and vrrp_strict): a MASTER that does not own its VIPs must not accept traffic for
 * them. Like keepalived, the VIPs go into an nftables set of a table of our own (`keepalived`
 * unless `nftables TABLE` says otherwise) whose input and output chains drop packets to and from
 * them; the table is removed at stop.
 */
import type { Nftables } from '../platform/linux/nftables.js';

type Family = 'ip' | 'ip6';

export class NoAcceptFirewall {
  private readonly created = new Set<Family>();
  private readonly members = new Map<string, number>();

  constructor(
    private readonly nft: Nftables,
    private readonly table: string,
    private readonly priority: number,
    private readonly report: (message: string) => void,
  ) {}

  private ensure(family: Family): boolean {
    if (this.created.has(family)) return true;
    const addr = family === 'ip' ? 'ipv4_addr' : 'ipv6_addr';
    const nd = family === 'ip6' ? '    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n' : '';
    const prio = this.priority >= 0 ? `filter + ${this.priority}` : `filter - ${-this.priority}`;
    const r = this.nft.run(
      `table ${family} ${this.table} {\n  set vips { type ${addr}; }\n` +
        `  chain out {\n    type filter hook output priority ${prio}; policy accept;\n${nd}    ${family} saddr @vips drop\n  }\n` +
        `  chain in {\n    type filter hook input priority ${prio}; policy accept;\n${nd}    ${family} daddr @vips drop\n  }\n}\n`,
    );
    if (!r.ok) {
      this.report(`nftables: cannot create table ${family} ${this.table}: ${r.error}`);
      return false;
    }
    this.created.add(family);
    return true;
  }

  /** Drop traffic for these addresses (add) or stop dropping it. Counted per address: two instances may share one. */
  set(addresses: readonly string[], add: boolean): void {
    for (const a of addresses) {
      const family: Family = a.includes(':') ? 'ip6' : 'ip';
      const n = this.members.get(a) ?? 0;
      if (add) {
        this.members.set(a, n + 1);
        if (n > 0 || !this.ensure(family)) continue;
        const r = this.nft.run(`add element ${family} ${this.table} vips { ${a} }\n`);
        if (!r.ok) this.report(`nftables: cannot block ${a}: ${r.error}`);
      } else {
        if (n === 0) continue;
        if (n > 1) {
          this.members.set(a, n - 1);
          continue;
        }
        this.members.delete(a);
        if (!this.created.has(family)) continue;
        const r = this.nft.run(`delete element ${family} ${this.table} vips { ${a} }\n`);
        if (!r.ok) this.report(`nftables: cannot unblock ${a}: ${r.error}`);
      }
    }
  }

  close(): void {
    for (const family of this.created) this.nft.run(`delete table ${family} ${this.table}\n`);
    this.created.clear();
    this.members.clear();
  }
}
