/**
 * Is an address one of this host's own (so the proxy may listen on it now)? Used for services
 * whose VIP presence nobody has reported yet (vipChanged), e.g. a virtual_server on an address
 * configured statically rather than by VRRP.
 */
import * as os from 'node:os';

export function isLocalAddress(address: string): boolean {
  // Linux routes all of 127.0.0.0/8 to the host, though only 127.0.0.1 is listed on lo.
  if (/^127\.\d+\.\d+\.\d+$/.test(address)) return true;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      const own = a.address.replace(/%.*$/, '');
      if (own === address) return true;
    }
  }
  return false;
}
