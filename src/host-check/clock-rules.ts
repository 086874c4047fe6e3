/**
 * Clock synchronisation. VRRP itself runs on monotonic timers, but two directors' logs are only
 * comparable (who became MASTER first in a split brain?) when their clocks agree, and SSL_GET
 * checkers reject certificates when the clock is far off. Checked without the network: is a time
 * daemon running, and does the kernel consider its clock synchronised.
 */
import type { DirectorFacts } from './director-facts.js';
import type { Finding } from './finding.js';

export function clockFindings(facts: DirectorFacts): Finding[] {
  const { syncDaemons, kernelSynchronized } = facts.clock;
  if (kernelSynchronized === true) return [];
  if (syncDaemons.length > 0) {
    if (kernelSynchronized === false)
      return [{ id: 'clock-unsynchronized', severity: 'info', subject: 'clock', message: `${syncDaemons.join(', ')} is running but the kernel clock is not synchronised yet`, fix: [] }];
    return [];
  }
  return [
    {
      id: 'clock-unsynchronized',
      severity: 'info',
      subject: 'clock',
      message: `no time synchronisation daemon is running${kernelSynchronized === false ? ' and the kernel clock is not synchronised' : ''}: the directors' logs cannot be compared reliably, and SSL_GET checks depend on a correct clock`,
      fix: ['systemctl enable --now systemd-timesyncd'],
    },
  ];
}
