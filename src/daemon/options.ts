import type { DataPlaneChoice } from '../dataplane/select.js';

/** What the command line tells the daemon (keepalived's flags; see cli/flags.ts). */
export interface DaemonOptions {
  readonly configFile: string;
  readonly configId?: string;
  readonly allConfig: boolean;
  readonly logConsole: boolean;
  readonly logDetail: boolean;
  readonly logFacility?: string;
  readonly noSyslog: boolean;
  readonly dontFork: boolean;
  readonly dontRespawn: boolean;
  /** -V: leave VIPs and virtual routes in place at stop. */
  readonly dontReleaseVrrp: boolean;
  /** -P / -C: run only that subsystem. */
  readonly vrrpOnly: boolean;
  readonly checkOnly: boolean;
  readonly all: boolean;
  readonly pidFile: string;
  readonly vrrpPidFile: string;
  readonly checkersPidFile: string;
  readonly statusSocket: string;
  /** keepalived-ts's --data-plane: what serves the virtual servers. */
  readonly dataPlane: DataPlaneChoice;
  readonly umask?: number;
  /** -a: log every address added or deleted (netlink). */
  readonly addressMonitoring: boolean;
}

export const DEFAULT_PID_FILE = '/run/keepalived.pid';
export const DEFAULT_VRRP_PID_FILE = '/run/keepalived_vrrp.pid';
export const DEFAULT_CHECKERS_PID_FILE = '/run/keepalived_checkers.pid';
/** keepalived-ts's own: where `keepalived-ts status` finds the daemon. */
export const DEFAULT_STATUS_SOCKET = '/run/keepalived-ts.sock';

/**
 * The messages between the supervisor and its children (Node's IPC channel, JSON). `status`: the
 * child's part of `keepalived-ts status`; `lvs`: the checker child's data plane table with counters
 * (`keepalived-ts lvs`). Every request is answered by a `status` reply carrying its id.
 */
export type ChildRequest = { readonly type: 'status' | 'lvs'; readonly id: number };
export type ChildReply =
  | { readonly type: 'status'; readonly id: number; readonly status: unknown }
  | { readonly type: 'ready' }
  /** A fatal config problem: the supervisor must not respawn (keepalived's permanent CONFIG error). */
  | { readonly type: 'fatal'; readonly message: string };
