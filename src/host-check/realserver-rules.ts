/**
 * A direct-routing real server (the seed's §5): the director sends it packets addressed to the
 * VIP, so the VIP must be local (on lo, as a host address: a wider prefix on lo would make the
 * whole subnet local) but never announced: arp_ignore=1 answers ARP only for addresses of the
 * interface asked, arp_announce=2 never uses the VIP as an ARP source. The kernel uses the larger
 * of conf.all and conf.IF, so `all` is what matters now; `default` covers interfaces created later
 * and `lo` is what the seed sets too. IPv6 needs no such settings: the kernel answers neighbour
 * solicitations only for addresses of the interface they arrive on.
 *
 * Pure: findings, setup and teardown plans from facts; realserver-apply.ts performs them.
 */
import { familyOf, inetPton, type Family } from '../config/entries/inet.js';
import type { AddressFact } from './director-facts.js';
import type { Finding, Severity } from './finding.js';
import { confPath, sysctlCommand, sysctlName } from './sysctl-names.js';

export interface Vip {
  readonly family: Family;
  /** Canonical text. */
  readonly address: string;
}

export interface RealServerFacts {
  /** Values by /proc/sys path. */
  readonly sysctls: ReadonlyMap<string, string>;
  readonly addresses: readonly AddressFact[];
}

export interface ArpSetting {
  readonly path: string;
  /** What setup writes. */
  readonly target: string;
  /** Values that already do the job (arp_ignore 2 is stricter than 1 and still right). */
  readonly accepted: readonly string[];
  readonly severity: Severity;
  /** The kernel default, restored by teardown when setup left no record. */
  readonly kernelDefault: string;
}

export const ARP_SETTINGS: readonly ArpSetting[] = (['all', 'default', 'lo'] as const).flatMap((conf) => [
  { path: confPath('ipv4', conf, 'arp_ignore'), target: '1', accepted: ['1', '2'], severity: conf === 'all' ? 'error' : 'warning', kernelDefault: '0' } as const,
  { path: confPath('ipv4', conf, 'arp_announce'), target: '2', accepted: ['2'], severity: conf === 'all' ? 'error' : 'warning', kernelDefault: '0' } as const,
]);

export const LOOPBACK = 'lo';

export const hostPrefix = (family: Family) => (family === 'inet' ? 32 : 128);

/** `--vip A[,B…]`: addresses, optionally written with their host prefix. */
export function parseVipList(text: string): { vips: Vip[]; errors: string[] } {
  const vips: Vip[] = [];
  const errors: string[] = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [addr, len] = raw.split('/');
    const family = familyOf(addr!);
    const canonical = inetPton(family, addr!);
    if (canonical === undefined || (len !== undefined && Number(len) !== hostPrefix(family))) {
      errors.push(`'${raw}' is not an IPv4 or IPv6 address (a host prefix /32 or /128 may follow)`);
      continue;
    }
    if (!vips.some((v) => v.address === canonical)) vips.push({ family, address: canonical });
  }
  if (vips.length === 0 && errors.length === 0) errors.push('no VIP given');
  return { vips, errors };
}

const sameAddress = (a: AddressFact, v: Vip) => a.family === v.family && inetPton(a.family, a.address) === v.address;

export function needsArpSettings(vips: readonly Vip[]): boolean {
  return vips.some((v) => v.family === 'inet');
}

export function checkRealServer(vips: readonly Vip[], facts: RealServerFacts): Finding[] {
  const out: Finding[] = [];
  for (const vip of vips) {
    const held = facts.addresses.filter((a) => sameAddress(a, vip));
    const elsewhere = held.filter((a) => a.ifname !== LOOPBACK);
    const onLo = held.filter((a) => a.ifname === LOOPBACK);
    const want = hostPrefix(vip.family);
    for (const a of elsewhere)
      out.push({ id: 'rs-vip-on-interface', severity: 'error', subject: vip.address, message: `VIP ${vip.address}/${a.prefixLen} is on ${a.ifname}: this host answers ARP/ND for it there and takes the director's traffic (only the director may hold the VIP on a network interface)`, fix: [`ip addr del ${vip.address}/${a.prefixLen} dev ${a.ifname}`] });
    if (onLo.length === 0)
      out.push({ id: 'rs-vip-missing', severity: 'error', subject: vip.address, message: `VIP ${vip.address} is not on lo: packets the director routes to this real server for the VIP are not accepted`, fix: [`ip addr add ${vip.address}/${want} dev lo`] });
    for (const a of onLo)
      if (a.prefixLen !== want)
        out.push({ id: 'rs-vip-prefix', severity: 'error', subject: vip.address, message: `VIP ${vip.address} is on lo as /${a.prefixLen}: every address of that prefix becomes local to this host; it must be /${want}`, fix: [`ip addr del ${vip.address}/${a.prefixLen} dev lo`, ...(onLo.some((b) => b.prefixLen === want) ? [] : [`ip addr add ${vip.address}/${want} dev lo`])] });
  }
  if (needsArpSettings(vips))
    for (const s of ARP_SETTINGS) {
      const v = facts.sysctls.get(s.path);
      if (v !== undefined && s.accepted.includes(v)) continue;
      const name = sysctlName(s.path);
      out.push({ id: name.endsWith('arp_ignore') ? 'rs-arp-ignore' : 'rs-arp-announce', severity: s.severity, subject: name, message: `${name} is ${v ?? 'unreadable'}, must be ${s.target}: ${name.endsWith('arp_ignore') ? 'the real server answers ARP requests for the VIP' : 'the real server may announce the VIP as an ARP source'} and steals the director's traffic`, fix: [sysctlCommand(s.path, s.target)] });
    }
  return out;
}

export type SetupStep =
  | { readonly kind: 'sysctl'; readonly path: string; readonly from: string | undefined; readonly to: string }
  | { readonly kind: 'add-address'; readonly vip: Vip; readonly prefixLen: number }
  | { readonly kind: 'delete-address'; readonly vip: Vip; readonly prefixLen: number };

/** What setup must change; `refused` lists what it will not touch (a VIP on a network interface). */
export function planSetup(vips: readonly Vip[], facts: RealServerFacts): { steps: SetupStep[]; refused: string[] } {
  const steps: SetupStep[] = [];
  const refused: string[] = [];
  for (const vip of vips) {
    const held = facts.addresses.filter((a) => sameAddress(a, vip));
    const elsewhere = held.filter((a) => a.ifname !== LOOPBACK);
    if (elsewhere.length > 0) {
      refused.push(`VIP ${vip.address} is on ${elsewhere.map((a) => a.ifname).join(', ')}; remove it there first (is this host a director?)`);
      continue;
    }
    const want = hostPrefix(vip.family);
    const onLo = held.filter((a) => a.ifname === LOOPBACK);
    for (const a of onLo) if (a.prefixLen !== want) steps.push({ kind: 'delete-address', vip, prefixLen: a.prefixLen });
    if (!onLo.some((a) => a.prefixLen === want)) steps.push({ kind: 'add-address', vip, prefixLen: want });
  }
  if (needsArpSettings(vips))
    for (const s of ARP_SETTINGS) {
      const v = facts.sysctls.get(s.path);
      if (v === undefined || !s.accepted.includes(v)) steps.push({ kind: 'sysctl', path: s.path, from: v, to: s.target });
    }
  return { steps, refused };
}

/**
 * What setup remembers (in a state file, per network namespace) so that teardown can put the
 * sysctls back: their values before the first setup, and the VIPs set up since.
 */
export interface RealServerState {
  readonly version: 1;
  readonly sysctls: Readonly<Record<string, string>>;
  readonly vips: readonly string[];
}

/** The state after a setup: the first setup's sysctl values are kept; the VIPs accumulate. */
export function stateAfterSetup(previous: RealServerState | undefined, vips: readonly Vip[], facts: RealServerFacts): RealServerState {
  const sysctls: Record<string, string> = { ...(previous?.sysctls ?? {}) };
  if (needsArpSettings(vips))
    for (const s of ARP_SETTINGS) {
      const v = facts.sysctls.get(s.path);
      if (!(s.path in sysctls) && v !== undefined) sysctls[s.path] = v;
    }
  const all = [...(previous?.vips ?? [])];
  for (const v of vips) if (!all.includes(v.address)) all.push(v.address);
  return { version: 1, sysctls, vips: all };
}

/**
 * Teardown: remove the VIPs from lo; once no VIP set up remains, put the sysctls back to the
 * values recorded before setup (kernel defaults when there is no record but a VIP to remove). Returns the steps and
 * the state to keep (undefined: remove the state file).
 */
export function planTeardown(
  vips: readonly Vip[],
  facts: RealServerFacts,
  state: RealServerState | undefined,
): { steps: SetupStep[]; state: RealServerState | undefined; sysctlsKept: boolean } {
  const steps: SetupStep[] = [];
  for (const vip of vips)
    for (const a of facts.addresses.filter((x) => x.ifname === LOOPBACK && sameAddress(x, vip)))
      steps.push({ kind: 'delete-address', vip, prefixLen: a.prefixLen });
  const removed = new Set(vips.map((v) => v.address));
  const remaining = (state?.vips ?? []).filter((v) => !removed.has(v));
  if (remaining.length > 0) return { steps, state: { ...state!, vips: remaining }, sysctlsKept: true };
  // without a record, the ARP settings go back to the kernel defaults only when there is
  // something to undo (a VIP still on lo) and these VIPs needed them: a repeated teardown
  // must not reset values the user set himself
  if (!state && (steps.length === 0 || !needsArpSettings(vips))) return { steps, state: undefined, sysctlsKept: false };
  for (const s of ARP_SETTINGS) {
    const recorded = state ? state.sysctls[s.path] : s.kernelDefault;
    if (recorded === undefined) continue;
    const current = facts.sysctls.get(s.path);
    if (current !== undefined && current !== recorded) steps.push({ kind: 'sysctl', path: s.path, from: current, to: recorded });
  }
  return { steps, state: undefined, sysctlsKept: false };
}

export function describeStep(step: SetupStep): string {
  switch (step.kind) {
    case 'sysctl':
      return `set ${sysctlName(step.path)} ${step.from ?? '?'} -> ${step.to}`;
    case 'add-address':
      return `added ${step.vip.address}/${step.prefixLen} on lo`;
    case 'delete-address':
      return `removed ${step.vip.address}/${step.prefixLen} from lo`;
  }
}
