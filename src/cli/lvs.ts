/**
 * `keepalived-ts lvs [--json] [--exact] [--status-socket PATH]`: the load-balancing table with its
 * counters, printed as `ipvsadm -Ln --stats` prints it (or as JSON). The figures come from a
 * snapshot function; the command line's is daemonLvsSource (the running daemon, asked over its
 * status socket).
 */
import type { ServiceStats } from '../dataplane/dataplane.js';
import { parseDaemonQueryArgs } from './daemon-query-args.js';
import { queryStatus } from '../daemon/status-server.js';
import { formatLvsStats, lvsStatsJson } from '../dataplane/proxy/lvs-text.js';
import type { Output } from './output.js';

export const LVS_USAGE = `Usage: keepalived-ts lvs [--json] [--exact] [--status-socket PATH]
  Print the virtual services of the running daemon's data plane with their counters, as
  ipvsadm -Ln --stats does. --exact prints full numbers (no K/M/G); --json prints the JSON form.
`;

export interface LvsSnapshot {
  /** The data plane the figures come from (proxy, nft, ipvs). */
  readonly dataPlane?: string;
  readonly services: readonly ServiceStats[];
}

/** Where the snapshot comes from; `statusSocket` is the daemon's socket (--status-socket). */
export type LvsSnapshotSource = (statusSocket: string) => Promise<LvsSnapshot>;

/** The running daemon's table, through its status socket ("lvs" request). */
export const daemonLvsSource: LvsSnapshotSource = async (statusSocket) => {
  const answer = (await queryStatus(statusSocket, 5000, 'lvs')) as Partial<LvsSnapshot> | null;
  if (!answer || typeof answer !== 'object' || !Array.isArray(answer.services)) throw new Error(`the daemon's LVS answer is not a table`);
  return answer as LvsSnapshot;
};

/** Until the daemon serves its LVS table, there is nothing to ask. */
const noDaemonSource: LvsSnapshotSource = async () => {
  throw new Error('the running daemon does not serve its LVS table yet');
};

export async function runLvs(argv: readonly string[], io: Output, source: LvsSnapshotSource = noDaemonSource): Promise<number> {
  const args = parseDaemonQueryArgs(argv, { '--exact': '-x' });
  if (args === 'help') {
    io.out(LVS_USAGE);
    return 0;
  }
  if ('unexpected' in args) {
    io.err(`keepalived-ts lvs: unexpected argument '${args.unexpected}'\n${LVS_USAGE}`);
    return 1;
  }
  const { json, socket } = args;
  const exact = args.switches.has('--exact');
  let snapshot: LvsSnapshot;
  try {
    snapshot = await source(socket);
  } catch (e) {
    io.err(`keepalived-ts lvs: ${(e as Error).message}\n`);
    return 3;
  }
  const options = snapshot.dataPlane !== undefined ? { dataPlane: snapshot.dataPlane } : {};
  io.out(json ? JSON.stringify(lvsStatsJson(snapshot.services, options), null, 2) + '\n' : formatLvsStats(snapshot.services, { exact }));
  return 0;
}
