/** `doctor` on a director: every rule over the config and the host's facts. */
import type { KeepalivedConfig } from '../config/model/index.js';
import { clockFindings } from './clock-rules.js';
import { dataPlaneFindings } from './data-plane-rules.js';
import type { DirectorFacts } from './director-facts.js';
import type { Finding } from './finding.js';
import { firewallFindings } from './firewall-rules.js';
import { interfaceFindings } from './interface-rules.js';
import { ipForwardFindings, rpFilterFindings, sendRedirectsFindings } from './sysctl-rules.js';

export function checkDirector(config: KeepalivedConfig, facts: DirectorFacts): Finding[] {
  return [
    ...interfaceFindings(config, facts),
    ...firewallFindings(config, facts),
    ...rpFilterFindings(config, facts),
    ...sendRedirectsFindings(config, facts),
    ...ipForwardFindings(config, facts),
    ...dataPlaneFindings(config, facts),
    ...clockFindings(facts),
  ];
}
