/**
 * `keepalived-ts lint NODE1.conf NODE2.conf [...] [--json]`: check the configs of all directors
 * of one cluster against each other (src/lint/). This file reads the arguments and the files and
 * prints; the analysis is pure.
 *
 * Exit codes: 0 clean, 1 warnings only, 2 any error; 4 when lint cannot run (bad arguments, a
 * file that cannot be read) — 4 as `keepalived-ts -t` and `simulate` use for a config they
 * cannot read, since 1 and 2 are lint's verdicts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultConfigId, loadConfig } from '../config/load.js';
import { formatFindingsJson, formatFindingsText, lintExitCode } from '../lint/finding.js';
import { lintCluster } from '../lint/lint.js';
import type { LintNode, SourceLines } from '../lint/lint-node.js';
import { workstationHost } from '../lint/workstation-host.js';
import type { Output } from './output.js';

export const LINT_CANNOT_RUN = 4;

export const LINT_USAGE = `Usage: keepalived-ts lint NODE1.conf NODE2.conf [...] [--json]
  Check the keepalived.conf files of all directors of one cluster, each alone (keepalived's own
  diagnostics) and against each other: instances of one service that cannot hear each other
  (virtual_router_id, version, multicast group, unicast peers, authentication, advert_int, VIPs),
  equal priorities, two MASTERs, VRID collisions, differing sync groups, trackers, virtual and
  real servers. Interfaces, scripts and users are assumed present: lint runs on a workstation.

  FILE@ID               read FILE with config id ID (keepalived's -i: selects @ID lines)
  -i, --config-id ID    the config id of the file that follows
  --json                print { "findings": [ { "rule", "severity", "file", "line", "message" } ] }
  -h, --help            this text

  One finding a line: FILE:LINE: error|warning [rule-id] message. Exit 0 clean, 1 warnings only,
  2 errors, 4 lint could not run. The rule ids are listed in docs/lint-rules.md.
`;

interface NodeArg {
  readonly file: string;
  readonly configId?: string;
  readonly label: string;
}

interface LintArgs {
  readonly nodes: NodeArg[];
  json: boolean;
}

/** FILE@ID, unless FILE@ID is itself the name of a file. */
function nodeArg(text: string, pendingId: string | undefined): NodeArg {
  if (pendingId !== undefined) return { file: text, configId: pendingId, label: `${text}@${pendingId}` };
  const at = text.lastIndexOf('@');
  if (at > 0 && at < text.length - 1 && !fs.existsSync(text)) return { file: text.slice(0, at), configId: text.slice(at + 1), label: text };
  return { file: text, label: text };
}

function parseLintArgs(argv: readonly string[], io: Output): LintArgs | 'help' | undefined {
  const args: LintArgs = { nodes: [], json: false };
  let pendingId: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--json') args.json = true;
    else if (a === '-i' || a === '--config-id' || a.startsWith('--config-id=')) {
      const value = a.startsWith('--config-id=') ? a.slice('--config-id='.length) : argv[++i];
      if (value === undefined || value === '') {
        io.err(`keepalived-ts lint: ${a} needs a config id\n`);
        return undefined;
      }
      pendingId = value;
    } else if (a.startsWith('-') && a !== '-') {
      io.err(`keepalived-ts lint: unknown option '${a}'\n${LINT_USAGE}`);
      return undefined;
    } else {
      args.nodes.push(nodeArg(a, pendingId));
      pendingId = undefined;
    }
  }
  if (pendingId !== undefined) {
    io.err(`keepalived-ts lint: --config-id ${pendingId} is not followed by a file\n`);
    return undefined;
  }
  if (!args.nodes.length) {
    io.err(`keepalived-ts lint: give the config file of every director\n${LINT_USAGE}`);
    return undefined;
  }
  return args;
}

/** Lines of the files findings point into, read once each. */
function fileSources(): SourceLines {
  const cache = new Map<string, readonly string[] | undefined>();
  return (file) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, fs.readFileSync(file, 'utf8').split('\n'));
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
}

export function runLint(argv: readonly string[], io: Output): number {
  const args = parseLintArgs(argv, io);
  if (args === 'help') {
    io.out(LINT_USAGE);
    return 0;
  }
  if (!args) return LINT_CANNOT_RUN;
  const nodes: LintNode[] = [];
  for (const n of args.nodes) {
    try {
      fs.accessSync(n.file, fs.constants.R_OK);
      if (fs.statSync(n.file).isDirectory()) throw new Error('is a directory');
    } catch (e) {
      io.err(`keepalived-ts lint: cannot read '${n.file}': ${(e as Error).message}\n`);
      return LINT_CANNOT_RUN;
    }
    // the host's name decides the default config id: take the file's, as if each director were named after its file
    const hostname = path.basename(n.file);
    const configId = n.configId ?? defaultConfigId(hostname);
    const result = loadConfig(n.file, { host: workstationHost(hostname), randomSeed: 1, configId });
    if (!result.found) {
      io.err(`keepalived-ts lint: cannot read '${n.file}'\n`);
      return LINT_CANNOT_RUN;
    }
    nodes.push({ label: n.label, file: n.file, configId, config: result.config, diagnostics: result.diagnostics.list });
  }
  const findings = lintCluster(nodes, fileSources());
  io.out(args.json ? formatFindingsJson(findings) : formatFindingsText(findings));
  return lintExitCode(findings);
}
