/**
 * `keepalived-ts realserver setup|teardown --vip VIP[,VIP...]`: makes this host a direct-routing
 * real server for the VIPs (VIP on lo as a host address, arp_ignore=1, arp_announce=2 on all,
 * default and lo) or undoes it. Idempotent; prints what it changed. The plans are in
 * src/host-check/realserver-rules.ts.
 */
import { applySteps, defaultStateFile, gatherRealServerFacts, readState, writeState } from '../host-check/realserver-apply.js';
import { describeStep, parseVipList, planSetup, planTeardown, stateAfterSetup, type SetupStep } from '../host-check/realserver-rules.js';
import { parseOptions } from './doctor.js';
import type { Output } from './output.js';

export const REALSERVER_USAGE = `Usage: keepalived-ts realserver setup|teardown --vip VIP[,VIP...] [--mode dr] [--state-file PATH]
  setup: put each VIP on lo as /32 (IPv6: /128) and set arp_ignore=1, arp_announce=2 on
  net.ipv4.conf.{all,default,lo}, so that this host accepts the director's packets for the VIPs
  without answering ARP for them (direct routing). Running it again changes nothing.
  teardown: remove the VIPs from lo; when no VIP set up remains, put the ARP settings back to
  the values they had before setup (kernel defaults, 0, when setup left no record).
  Nothing is persisted: the settings last until reboot. The values before setup are kept in
  the state file (default /run/keepalived-ts/realserver-net<NAMESPACE-INODE>.json).
  Exit 0: done (or nothing to do), 1: bad arguments, 2: a step failed or was refused.
`;

function printSteps(steps: readonly SetupStep[], changed: readonly boolean[], io: Output): number {
  let count = 0;
  steps.forEach((s, i) => {
    if (!changed[i]) return;
    io.out(describeStep(s) + '\n');
    count++;
  });
  return count;
}

export function runRealServer(argv: readonly string[], io: Output): number {
  const { values, set, operands, errors } = parseOptions(argv, { '--vip': 'vip', '--mode': 'mode', '--state-file': 'state-file' }, { '-h': 'help', '--help': 'help' });
  if (set.has('help')) {
    io.out(REALSERVER_USAGE);
    return 0;
  }
  const [action, ...rest] = operands;
  if (action !== 'setup' && action !== 'teardown') errors.push(action === undefined ? 'setup or teardown?' : `unknown action '${action}'`);
  for (const o of rest) errors.push(`unexpected argument '${o}'`);
  const mode = (values.get('mode') ?? 'dr').toLowerCase();
  if (mode !== 'dr') errors.push(`--mode ${mode}: only dr (direct routing) is supported`);
  const vipText = values.get('vip');
  if (vipText === undefined) errors.push('--vip VIP[,VIP...] is required');
  const parsed = parseVipList(vipText ?? '');
  if (vipText !== undefined) errors.push(...parsed.errors.map((e) => `--vip: ${e}`));
  if (errors.length > 0) {
    for (const e of errors) io.err(`keepalived-ts realserver: ${e}\n`);
    io.err(REALSERVER_USAGE);
    return 1;
  }
  const stateFile = values.get('state-file') ?? defaultStateFile();
  try {
    const facts = gatherRealServerFacts();
    if (facts.linkError !== undefined) throw new Error(`cannot list addresses: ${facts.linkError}`);
    const previous = readState(stateFile);
    if (action === 'setup') {
      const plan = planSetup(parsed.vips, facts);
      if (plan.refused.length > 0) {
        for (const r of plan.refused) io.err(`keepalived-ts realserver: refusing: ${r}\n`);
        return 2;
      }
      const next = stateAfterSetup(previous, parsed.vips, facts);
      // the record is written before anything changes, so a failure half-way can still be undone
      if (JSON.stringify(next) !== JSON.stringify(previous)) writeState(stateFile, next);
      const changed = applySteps(plan.steps);
      if (printSteps(plan.steps, changed, io) === 0) io.out(`nothing to change: ${parsed.vips.map((v) => v.address).join(', ')} already set up\n`);
      return 0;
    }
    const plan = planTeardown(parsed.vips, facts, previous);
    const changed = applySteps(plan.steps);
    writeState(stateFile, plan.state);
    const count = printSteps(plan.steps, changed, io);
    if (plan.sysctlsKept) io.out(`ARP settings kept: ${plan.state!.vips.join(', ')} still set up\n`);
    else if (count === 0) io.out('nothing to change\n');
    return 0;
  } catch (e) {
    io.err(`keepalived-ts realserver ${action}: ${(e as Error).message}\n`);
    return 2;
  }
}
