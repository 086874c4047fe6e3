/**
 * The arguments shared by the commands that ask the running daemon (`status`, `lvs`):
 * `--json`/`-j`, `--status-socket PATH` (or `=PATH`), `-h`/`--help`, plus each command's own
 * switches (a long form and its short alias).
 */
import { DEFAULT_STATUS_SOCKET } from '../daemon/options.js';

export interface DaemonQueryArgs {
  readonly json: boolean;
  readonly socket: string;
  /** The command's own switches given (by their long form). */
  readonly switches: ReadonlySet<string>;
}

export function parseDaemonQueryArgs(argv: readonly string[], own: Readonly<Record<string, string>> = {}): DaemonQueryArgs | 'help' | { readonly unexpected: string } {
  let json = false;
  let socket = DEFAULT_STATUS_SOCKET;
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const long = Object.entries(own).find(([l, s]) => a === l || a === s)?.[0];
    if (a === '--json' || a === '-j') json = true;
    else if (a === '--status-socket' && i + 1 < argv.length) socket = argv[++i]!;
    else if (a.startsWith('--status-socket=')) socket = a.slice('--status-socket='.length);
    else if (long !== undefined) switches.add(long);
    else if (a === '-h' || a === '--help') return 'help';
    else return { unexpected: a };
  }
  return { json, socket, switches };
}
