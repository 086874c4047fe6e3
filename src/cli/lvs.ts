/**
 * `keepalived-ts lvs [--json] [--exact]`: the load-balancing table with its counters, printed as
 * `ipvsadm -Ln --stats` prints it (or as JSON). The figures come from a snapshot function: the
 * daemon wiring (asking the running daemon over its status socket) supplies it.
 */
import type { ServiceStats } from '../dataplane/dataplane.js';
import { formatLvsStats, lvsStatsJson } from '../dataplane/proxy/lvs-text.js';
import type { Output } from './output.js';

export const LVS_USAGE = `Usage: keepalived-ts lvs [--json] [--exact]
  Print the virtual services of the running daemon's data plane with their counters, as
  ipvsadm -Ln --stats does. --exact prints full numbers (no K/M/G); --json prints the JSON form.
`;

export interface LvsSnapshot {
  /** The data plane the figures come from (proxy, nft, ipvs). */
  readonly dataPlane?: string;
  readonly services: readonly ServiceStats[];
}

export type LvsSnapshotSource = () => Promise<LvsSnapshot>;

/** Until the daemon serves its LVS table, there is nothing to ask. */
const noDaemonSource: LvsSnapshotSource = async () => {
  throw new Error('the running daemon does not serve its LVS table yet');
};

export async function runLvs(argv: readonly string[], io: Output, source: LvsSnapshotSource = noDaemonSource): Promise<number> {
  let json = false;
  let exact = false;
  for (const a of argv) {
    if (a === '--json' || a === '-j') json = true;
    else if (a === '--exact' || a === '-x') exact = true;
    else if (a === '-h' || a === '--help') {
      io.out(LVS_USAGE);
      return 0;
    } else {
      io.err(`keepalived-ts lvs: unexpected argument '${a}'\n${LVS_USAGE}`);
      return 1;
    }
  }
  let snapshot: LvsSnapshot;
  try {
    snapshot = await source();
  } catch (e) {
    io.err(`keepalived-ts lvs: ${(e as Error).message}\n`);
    return 3;
  }
  const options = snapshot.dataPlane !== undefined ? { dataPlane: snapshot.dataPlane } : {};
  io.out(json ? JSON.stringify(lvsStatsJson(snapshot.services, options), null, 2) + '\n' : formatLvsStats(snapshot.services, { exact }));
  return 0;
}
