/**
 * What `doctor` learns about a director host, gathered once (linux-gather.ts) and then only read
 * by the rules, so that every rule can be tested from hand-written facts.
 */
import type { Family } from '../config/entries/inet.js';

export interface LinkFact {
  readonly name: string;
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  /** Up with a carrier (IFF_RUNNING). */
  readonly running: boolean;
  readonly multicast: boolean;
}

export interface AddressFact {
  readonly ifname: string;
  readonly family: Family;
  readonly address: string;
  readonly prefixLen: number;
}

export interface FirewallFacts {
  /** `nft -j list ruleset`, parsed; undefined when nft is not installed or could not list. */
  readonly nftables?: unknown;
  /** Why the nftables ruleset could not be read (nft installed but failing, e.g. no permission). */
  readonly nftablesError?: string;
  /** `iptables-save` / `ip6tables-save` output, when those are legacy (x_tables) iptables; nf_tables-based ones show up in `nftables`. */
  readonly iptables?: string;
  readonly ip6tables?: string;
  readonly iptablesError?: string;
}

export interface ClockFacts {
  /** Time synchronisation daemons found running (chronyd, ntpd, systemd-timesyncd, …). */
  readonly syncDaemons: readonly string[];
  /** The kernel's view (adjtimex): true synchronised, false not, undefined unknown. */
  readonly kernelSynchronized?: boolean;
}

export interface DirectorFacts {
  /** Every link of the host's network namespace; undefined when they could not be listed (see linkError). */
  readonly links?: readonly LinkFact[];
  readonly linkError?: string;
  readonly addresses: readonly AddressFact[];
  /** Sysctl values by /proc/sys path (sysctl-names.ts); a path that does not exist is absent. */
  readonly sysctls: ReadonlyMap<string, string>;
  /** The interface the route to each asked-for destination leaves by; null when there is no route. */
  readonly routes: ReadonlyMap<string, string | null>;
  readonly firewall: FirewallFacts;
  /** /proc/net/ip_vs exists: the kernel has IPVS. */
  readonly ipvs: boolean;
  readonly clock: ClockFacts;
}
