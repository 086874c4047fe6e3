/**
 * Completion of the global area: keepalived's init_global_data() (defaults that depend on other
 * settings or the host) and the parent's start/shutdown script security check, which keepalived
 * makes before validate_config().
 */
import type { ValidationContext } from './context.js';
import { checkScriptGroup } from './script-security.js';
import { validateWitness } from '../keywords/witness.js';

const RUNSTATEDIR = '/run';

export function validateGlobal(ctx: ValidationContext): void {
  const gc = ctx.config.global;
  validateWitness(ctx);
  const localName = gc.hostname;

  // reload_file without a name
  if (gc.reloadFile === 'default') {
    if (gc.instanceName) gc.reloadFile = `${RUNSTATEDIR}/keepalived/keepalived_${gc.instanceName}.reload`;
    else if (gc.usePidDir) gc.reloadFile = `${RUNSTATEDIR}/keepalived/keepalived.reload`;
    else gc.reloadFile = `${RUNSTATEDIR}/keepalived.reload`;
  }

  if (!gc.routerId && localName) gc.routerId = localName;

  if (gc.smtpServer) {
    if (!gc.smtpConnectTimeout) gc.smtpConnectTimeout = 30 * 1_000_000;
    if (localName) {
      // getpwuid(getuid()): keepalived runs as root
      if (!gc.notificationEmailFrom) gc.notificationEmailFrom = `${ctx.host.user('0')?.name ?? 'root'}@${localName}`;
      if (!gc.smtpHeloName) gc.smtpHeloName = localName;
    }
  }

  // "notify FIFO %s has been specified for global and vrrp/LVS FIFO - ignoring …" (logged only)
  if (gc.notifyFifo.name !== undefined && gc.vrrpNotifyFifo.name === gc.notifyFifo.name) {
    gc.vrrpNotifyFifo.name = undefined;
    gc.vrrpNotifyFifo.script = undefined;
  }
  if (gc.notifyFifo.name !== undefined && gc.lvsNotifyFifo.name === gc.notifyFifo.name) {
    gc.lvsNotifyFifo.name = undefined;
    gc.lvsNotifyFifo.script = undefined;
  }

  if (gc.startupScript || gc.shutdownScript) checkScriptGroup(ctx, 'startstop', [gc.startupScript, gc.shutdownScript]);
}
