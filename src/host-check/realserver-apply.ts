/**
 * Performs `realserver setup|teardown` plans on the host: addresses on lo through rtnetlink,
 * sysctls by writing /proc/sys, and the state file that lets teardown restore the sysctls. The
 * state file lives under /run (gone at reboot, like the settings it describes) and is named after
 * the network namespace, whose sysctls and addresses it records. Nothing is written to
 * /etc/sysctl.d: setup persists nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { plainAddressEntry } from '../config/entries/ip-address.js';
import type { IpAddressEntry } from '../config/model/vrrp.js';
import { RtNetlink } from '../platform/linux/rtnetlink.js';
import { gatherLinksAndAddresses, readSysctls, writeSysctl } from './linux-gather.js';
import { ARP_SETTINGS, LOOPBACK, type RealServerFacts, type RealServerState, type SetupStep } from './realserver-rules.js';

export const STATE_DIR = '/run/keepalived-ts';

/** The namespace's inode (as /proc/self/ns/net shows it), so each namespace has its own record. */
function netnsId(): string {
  try {
    const m = /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/net'));
    return m ? m[1]! : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function defaultStateFile(): string {
  return path.join(STATE_DIR, `realserver-net${netnsId()}.json`);
}

export function readState(file: string): RealServerState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as Partial<RealServerState>;
  if (parsed.version !== 1 || typeof parsed.sysctls !== 'object' || !Array.isArray(parsed.vips))
    throw new Error(`${file}: not a keepalived-ts realserver state file`);
  return parsed as RealServerState;
}

export function writeState(file: string, state: RealServerState | undefined): void {
  if (!state) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o644 });
  fs.renameSync(tmp, file);
}

export function gatherRealServerFacts(): RealServerFacts & { linkError?: string } {
  const { addresses, linkError } = gatherLinksAndAddresses();
  return { addresses, sysctls: readSysctls(ARP_SETTINGS.map((s) => s.path)), ...(linkError !== undefined ? { linkError } : {}) };
}

function hostAddressEntry(step: Extract<SetupStep, { kind: 'add-address' | 'delete-address' }>): IpAddressEntry {
  return plainAddressEntry({ file: '<realserver>', line: 0 }, step.vip.family, step.vip.address, step.prefixLen);
}

/** Performs the steps in order; returns, for each, whether it changed anything (an address already there did not). */
export function applySteps(steps: readonly SetupStep[]): boolean[] {
  const changed: boolean[] = [];
  let nl: RtNetlink | undefined;
  try {
    for (const step of steps) {
      if (step.kind === 'sysctl') {
        writeSysctl(step.path, step.to);
        changed.push(true);
      } else {
        nl ??= new RtNetlink();
        const r = step.kind === 'add-address' ? nl.addAddress(hostAddressEntry(step), LOOPBACK) : nl.deleteAddress(hostAddressEntry(step), LOOPBACK);
        changed.push(r === 'added' || r === 'removed');
      }
    }
  } finally {
    nl?.close();
  }
  return changed;
}
