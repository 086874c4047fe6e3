/**
 * Which data plane the health-checker process drives (`--data-plane`): `auto` takes the best one
 * this host can run — today the user-space proxy, the only one there is; the kernel data planes
 * (nftables, IPVS) will come first in that order once they exist — and `proxy` asks for the proxy
 * whatever else is available.
 */
import type { DataPlane } from './dataplane.js';
import { ProxyDataPlane } from './proxy/proxy-dataplane.js';
import type { LogFn } from '../platform/linux/driver-log.js';

export const DATA_PLANE_CHOICES = ['auto', 'proxy'] as const;
export type DataPlaneChoice = (typeof DATA_PLANE_CHOICES)[number];

export function isDataPlaneChoice(text: string): text is DataPlaneChoice {
  return (DATA_PLANE_CHOICES as readonly string[]).includes(text);
}

export function selectDataPlane(choice: DataPlaneChoice, log: LogFn): DataPlane {
  const plane = new ProxyDataPlane({ log });
  log('info', `Using the ${plane.name} data plane (user space${choice === 'auto' ? ', the only one available' : ''})`);
  return plane;
}
