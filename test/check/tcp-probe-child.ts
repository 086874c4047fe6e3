/**
 * Run inside a test namespace (ip netns exec): one TCP_CHECK attempt against argv host/port with
 * argv connect timeout (µs); prints the outcome as JSON. Keeps the test's traffic in its namespace.
 */
import { tcpConnectAttempt } from '../../src/check/tcp-check.js';

const [address = '127.0.0.1', port = '9', timeout = '300000'] = process.argv.slice(2);
const outcome = await tcpConnectAttempt({ family: 'inet', address, port: Number(port), connectTimeout: Number(timeout) }, new AbortController().signal);
process.stdout.write(JSON.stringify(outcome) + '\n');
