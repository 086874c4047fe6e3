/**
 * Packet capture for the integration lab (lab.ts `capture`): a tcpdump handle, and tshark field
 * extraction to check captured packets field by field.
 */
import { runCommand, type LabProcess } from './lab-process.js';

/** A tcpdump running in a node's namespace, writing a pcap in the run directory. */
export class Capture {
  constructor(
    readonly path: string,
    private readonly proc: LabProcess,
  ) {}

  /** What tcpdump printed (its 'listening on' and, once stopped, its packet counts). */
  output(): string {
    return this.proc.lines.join('\n');
  }

  /** Stop tcpdump (it flushes on SIGTERM) and return the pcap's path. */
  async stop(): Promise<string> {
    if (this.proc.running) await this.proc.stop({ timeoutMs: 10_000 });
    return this.path;
  }
}

/**
 * `tshark -r PCAP -T fields -e F1 -e F2 …` as rows of strings, one per packet, one column per
 * field ('' when absent; several occurrences of a field come comma-joined in its column). The
 * columns are tab-separated so that those commas cannot shift them. `displayFilter` is tshark's -Y.
 */
export async function tsharkFields(pcap: string, fields: readonly string[], displayFilter?: string): Promise<string[][]> {
  const args = ['-r', pcap, '-n', '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])];
  if (displayFilter !== undefined) args.push('-Y', displayFilter);
  const r = await runCommand('tshark', args, { timeoutMs: 60_000 });
  if (r.code !== 0) {
    /* As root tshark warns that running as root is dangerous; that line is not the error. */
    const why = r.stderr
      .split('\n')
      .filter((l) => l.trim() !== '' && !/running as user "root"/i.test(l))
      .join('\n');
    throw new Error(`tshark ${args.join(' ')} failed (exit ${r.code}): ${why}`);
  }
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}
