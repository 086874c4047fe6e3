/**
 * Where bench/checks-10k.ts puts its real servers, shared by the keepalived-ts runner and the
 * HAProxy configuration so that both check exactly the same (address, port) pairs: server i is
 * 127.1.x.y (all distinct, all local through lo's 127.0.0.0/8) on one of `ports` listening ports.
 * A listener bound to the wildcard address serves every 127.1.x.y on its port, so 10,000 real
 * servers need only `ports` listening sockets.
 */
export const SERVERS_PER_VS = 100;

export function serverAddress(i: number, ports: number, basePort: number): { address: string; port: number } {
  return { address: `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`, port: basePort + (i % ports) };
}
