/**
 * The keepalived-ts proxy data plane alone in a process, for bench/proxy-throughput.ts:
 * `node dist/bench/proxy-server.js VIP PORT BACKEND_ADDRESS BACKEND_PORT` serves TCP VIP:PORT → backend
 * and prints "ready" once listening. Stops on SIGTERM.
 */
import { ProxyDataPlane } from '../src/dataplane/proxy/proxy-dataplane.js';

const [vip, port, backendAddress, backendPort] = process.argv.slice(2);
if (!vip || !port || !backendAddress || !backendPort) {
  process.stderr.write('usage: proxy-server VIP PORT BACKEND_ADDRESS BACKEND_PORT\n');
  process.exit(2);
}
const proxy = new ProxyDataPlane({ log: (level, m) => process.stderr.write(`${level}: ${m}\n`) });
await proxy.apply({
  services: [{
    id: `TCP ${vip}:${port}`,
    key: { kind: 'address', family: 'inet', address: vip, port: Number(port), protocol: 'TCP' },
    scheduler: 'rr',
    flags: [],
    destinations: [{ family: 'inet', address: backendAddress, port: Number(backendPort), weight: 1, forwarding: 'NAT' }],
  }],
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void proxy.close().then(() => process.exit(0));
});
