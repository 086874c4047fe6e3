/** `keepalived-ts status [--json] [--status-socket PATH]`: ask the running daemon what it holds. */
import { parseDaemonQueryArgs } from './daemon-query-args.js';
import { queryStatus } from '../daemon/status-server.js';
import { renderStatusText, type DaemonStatus } from '../daemon/status.js';
import type { Output } from './output.js';

export const STATUS_USAGE = `Usage: keepalived-ts status [--json] [--status-socket PATH]
  Print every VRRP instance of the running daemon: state, priorities, master, VIPs, counters,
  last transition. --json prints the documented JSON object instead of a table.
`;

export async function runStatus(argv: readonly string[], io: Output): Promise<number> {
  const args = parseDaemonQueryArgs(argv);
  if (args === 'help') {
    io.out(STATUS_USAGE);
    return 0;
  }
  if ('unexpected' in args) {
    io.err(`keepalived-ts status: unexpected argument '${args.unexpected}'\n${STATUS_USAGE}`);
    return 1;
  }
  const { json, socket } = args;
  let status: DaemonStatus;
  try {
    status = (await queryStatus(socket)) as DaemonStatus;
  } catch (e) {
    io.err(`keepalived-ts status: ${(e as Error).message}\n`);
    return 3;
  }
  io.out(json ? JSON.stringify(status, null, 2) + '\n' : renderStatusText(status));
  return 0;
}
