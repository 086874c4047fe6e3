/** `keepalived-ts status [--json] [--status-socket PATH]`: ask the running daemon what it holds. */
import { DEFAULT_STATUS_SOCKET } from '../daemon/options.js';
import { queryStatus } from '../daemon/status-server.js';
import { renderStatusText, type DaemonStatus } from '../daemon/status.js';
import type { Output } from './output.js';

export const STATUS_USAGE = `Usage: keepalived-ts status [--json] [--status-socket PATH]
  Print every VRRP instance of the running daemon: state, priorities, master, VIPs, counters,
  last transition. --json prints the documented JSON object instead of a table.
`;

export async function runStatus(argv: readonly string[], io: Output): Promise<number> {
  let json = false;
  let socket = DEFAULT_STATUS_SOCKET;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json' || a === '-j') json = true;
    else if (a === '--status-socket' && i + 1 < argv.length) socket = argv[++i]!;
    else if (a.startsWith('--status-socket=')) socket = a.slice('--status-socket='.length);
    else if (a === '-h' || a === '--help') {
      io.out(STATUS_USAGE);
      return 0;
    } else {
      io.err(`keepalived-ts status: unexpected argument '${a}'\n${STATUS_USAGE}`);
      return 1;
    }
  }
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
