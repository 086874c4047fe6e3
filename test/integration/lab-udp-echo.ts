/**
 * UDP echo responder for the lab's client prober (lab.ts `probeVip`). Runs inside one director's
 * namespace: `node lab-udp-echo.js NODE_NAME PORT`. Bound to the wildcard address so it answers
 * whichever address (the VIP included) the namespace currently holds; the reply is the request
 * followed by the node name, so the prober sees WHO answered, not only that someone did.
 * Prints `listening` once both sockets are bound (udp6 is optional: IPv6 may be disabled).
 */
import * as dgram from 'node:dgram';

const [nodeName = '?', portText = ''] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write(`lab-udp-echo: bad port '${portText}'\n`);
  process.exit(2);
}
const name = Buffer.from(nodeName, 'utf8');

let answered = 0;
let errors = 0;

function serve(type: 'udp4' | 'udp6', address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({ type, ipv6Only: type === 'udp6' });
    let bound = false;
    socket.on('error', (err) => {
      errors++;
      process.stderr.write(`lab-udp-echo ${type}: ${err.message}\n`);
      if (!bound) {
        socket.close();
        resolve(false);
      }
    });
    socket.on('message', (msg, rinfo) => {
      socket.send(Buffer.concat([msg, name]), rinfo.port, rinfo.address, (err) => {
        if (err) errors++;
        else answered++;
      });
    });
    socket.bind(port, address, () => {
      bound = true;
      resolve(true);
    });
  });
}

const [v4, v6] = await Promise.all([serve('udp4', '0.0.0.0'), serve('udp6', '::')]);
if (!v4 && !v6) process.exit(1);
process.stdout.write(`listening udp4=${v4} udp6=${v6}\n`);
process.on('SIGTERM', () => {
  process.stdout.write(`answered ${answered} errors ${errors}\n`);
  process.exit(0);
});
