/**
 * `keepalived-ts witness --listen ADDR:PORT [--secret-file FILE] [--max-lease SECONDS]`: the
 * split-brain arbiter on a third host (see README "keepalived-ts extensions"). The secret is
 * read from FILE (first line), else from $KEEPALIVED_TS_WITNESS_SECRET; it is never printed.
 * Runs until SIGTERM or SIGINT.
 */
import * as fs from 'node:fs';
import { monotonicMicros } from '../daemon/monotonic-clock.js';
import { WitnessServer } from '../witness/witness-server.js';
import type { Output } from './output.js';

export const WITNESS_USAGE = `Usage: keepalived-ts witness --listen ADDR:PORT [--secret-file FILE] [--max-lease SECONDS]
  The split-brain witness: grants one director per VRRP group a lease at a time. The secret
  (global_defs witness_secret of the directors) is the first line of FILE, or
  $KEEPALIVED_TS_WITNESS_SECRET. --max-lease caps leases (default 10 s); after a start nothing
  is granted for that long.
`;

/** "10.0.0.9:7788", "[fd00::9]:7788", ":7788" (all addresses). */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]*)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export async function runWitness(argv: readonly string[], io: Output, signals: NodeJS.EventEmitter = process): Promise<number> {
  let listen: { host: string; port: number } | undefined;
  let secretFile: string | undefined;
  let maxLease = 10;
  const fail = (msg: string) => {
    io.err(`keepalived-ts witness: ${msg}\n${WITNESS_USAGE}`);
    return 1;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.includes('=') ? (argv[i]!.split(/=(.*)/s, 2) as [string, string]) : [argv[i]!, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '-h' || flag === '--help') {
      io.out(WITNESS_USAGE);
      return 0;
    } else if (flag === '--listen') {
      const v = value();
      listen = v === undefined ? undefined : parseListen(v);
      if (!listen) return fail(`--listen needs ADDR:PORT, got '${v ?? ''}'`);
    } else if (flag === '--secret-file') {
      secretFile = value();
      if (!secretFile) return fail('--secret-file needs a file');
    } else if (flag === '--max-lease') {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0.01 || v > 3600) return fail('--max-lease needs 0.01 to 3600 seconds');
      maxLease = v;
    } else return fail(`unexpected argument '${argv[i]}'`);
  }
  if (!listen) return fail('--listen ADDR:PORT is required');
  let secret: string | undefined;
  if (secretFile !== undefined) {
    try {
      secret = fs.readFileSync(secretFile, 'utf8').split('\n')[0]!.trim();
    } catch (e) {
      return fail(`cannot read the secret file ${secretFile}: ${(e as Error).message}`);
    }
  } else secret = process.env.KEEPALIVED_TS_WITNESS_SECRET;
  if (!secret) return fail('no secret: give --secret-file or set KEEPALIVED_TS_WITNESS_SECRET');
  const server = new WitnessServer({
    host: listen.host,
    port: listen.port,
    secret,
    maxLeaseUs: Math.round(maxLease * 1e6),
    now: monotonicMicros,
    log: (line) => io.out(`${line}\n`),
  });
  try {
    await server.start();
  } catch (e) {
    io.err(`keepalived-ts witness: cannot listen on ${listen.host}:${listen.port}: ${(e as Error).message}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    signals.once('SIGTERM', resolve);
    signals.once('SIGINT', resolve);
  });
  await server.close();
  io.out('witness: stopped\n');
  return 0;
}
