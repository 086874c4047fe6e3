/**
 * Notify scripts and FIFO lines (keepalived 2.2.7 vrrp_notify.c): the specific
 * notify_<state> script with its configured argv only, then the generic `notify` with
 * INSTANCE|GROUP <name> <STATE> <prio> appended, then the FIFO line.
 */
import type { NotifySettings } from './instance-settings.js';
import type { Action, NotifyKind, VrrpStateName } from './instance-types.js';

/** notify_fifo(): `INSTANCE "VI_1" MASTER 100\n`. */
export function fifoLine(type: 'INSTANCE' | 'GROUP', name: string, state: string, priority: number): string {
  return `${type} "${name}" ${state} ${priority}\n`;
}

const STOP_SCRIPT_TIMEOUT = 1_000_000;

function specific(n: NotifySettings, state: VrrpStateName): { kind: NotifyKind; argv: readonly string[] } | undefined {
  const pick = (kind: NotifyKind, argv: readonly string[] | undefined) => (argv ? { kind, argv } : undefined);
  switch (state) {
    case 'MASTER':
      return pick('notify_master', n.master);
    case 'BACKUP':
      return pick('notify_backup', n.backup);
    case 'FAULT':
      return pick('notify_fault', n.fault);
    case 'STOP':
      return pick('notify_stop', n.stop);
    case 'DELETED':
      return pick('notify_deleted', n.deleted);
    default:
      return undefined;
  }
}

/** keepalived prints states other than these as "{UNKNOWN}". */
function stateWord(state: VrrpStateName): string {
  return state === 'INIT' ? '{UNKNOWN}' : state;
}

function notifyActions(
  type: 'INSTANCE' | 'GROUP',
  owner: string,
  n: NotifySettings,
  state: VrrpStateName,
  priority: number,
): Action[] {
  const out: Action[] = [];
  const timeout = state === 'STOP' ? { timeout: STOP_SCRIPT_TIMEOUT } : {};
  const s = specific(n, state);
  if (s) out.push({ type: 'run-script', owner, kind: s.kind, argv: s.argv, ...timeout });
  if (n.generic)
    out.push({ type: 'run-script', owner, kind: 'notify', argv: [...n.generic, type, owner, stateWord(state), String(priority)], ...timeout });
  out.push({ type: 'fifo', owner, line: fifoLine(type, owner, stateWord(state), priority) });
  return out;
}

export function instanceNotifyActions(name: string, n: NotifySettings, state: VrrpStateName, priority: number): Action[] {
  return notifyActions('INSTANCE', name, n, state, priority);
}

export function groupNotifyActions(name: string, n: NotifySettings, state: VrrpStateName): Action[] {
  return notifyActions('GROUP', name, n, state, 0);
}
