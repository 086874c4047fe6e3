/**
 * Sysctls are kept by their path under /proc/sys (`net/ipv4/conf/eth0.1/rp_filter`): that is
 * what the gatherer reads and what setup writes. Users see and type the dotted name, where a dot
 * inside an interface name becomes '/' (sysctl(8): `net.ipv4.conf.eth0/1.rp_filter`).
 */

export function confPath(family: 'ipv4' | 'ipv6', ifname: string, setting: string): string {
  return `net/${family}/conf/${ifname}/${setting}`;
}

export function sysctlName(path: string): string {
  return path
    .split('/')
    .map((segment) => segment.replaceAll('.', '/'))
    .join('.');
}

/** The command that sets it now (and only now: nothing is persisted). */
export function sysctlCommand(path: string, value: string | number): string {
  return `sysctl -w ${sysctlName(path)}=${value}`;
}

export const IP_FORWARD = 'net/ipv4/ip_forward';
export const IPV6_NONLOCAL_BIND = 'net/ipv6/ip_nonlocal_bind';
