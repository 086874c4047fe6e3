/** `keepalived-ts dump [-f FILE] [-i ID] [-e]`: the resolved model as JSON, secrets masked. */
import { CONFIG_TEST_EXIT } from '../config/diagnostics.js';
import { dumpConfig } from '../config/dump.js';
import { loadAndReport } from './config-test.js';
import { DEFAULT_CONFIG_FILE, parseArgs } from './flags.js';
import type { Output } from './output.js';

const DUMP_FLAGS = new Set(['use-file', 'config-id', 'all-config', 'help']);

export const DUMP_USAGE = `Usage: keepalived-ts dump [-f FILE] [-i ID] [-e]
  Print the configuration as keepalived-ts understood it, as JSON on stdout
  (passwords and keys masked); diagnostics go to stderr and the exit code is
  that of -t.
  -f, --use-file=FILE          configuration file (default '${DEFAULT_CONFIG_FILE}')
  -i, --config-id id           config id for '@id' lines (default: the node name)
  -e, --all-config             error if any configuration file is missing
`;

export function runDump(argv: readonly string[], io: Output): number {
  const { events, operands } = parseArgs(argv, { only: DUMP_FLAGS });
  let file = DEFAULT_CONFIG_FILE;
  let configId: string | undefined;
  let allConfig = false;
  let bad = false;
  for (const ev of events) {
    if (ev.type === 'unknown') {
      io.err(`Unknown option ${ev.text}\n`);
      bad = true;
    } else if (ev.type === 'missing') {
      io.err(`Missing parameter for option ${ev.text}\n`);
      bad = true;
    } else if (ev.flag.id === 'help') {
      io.err(DUMP_USAGE);
      return 0;
    } else if (ev.flag.id === 'use-file') file = ev.value!;
    else if (ev.flag.id === 'config-id') configId = ev.value!;
    else if (ev.flag.id === 'all-config') allConfig = true;
  }
  if (operands.length > 0) {
    io.err(`Unexpected argument(s): ${operands.join(' ')}\n`);
    bad = true;
  }
  if (bad) return 1;
  const result = loadAndReport({ file, allConfig, ...(configId !== undefined ? { configId } : {}) }, io);
  if (!result.found) return CONFIG_TEST_EXIT.CANNOT_RUN;
  io.out(dumpConfig(result.config) + '\n');
  return result.diagnostics.exitCode();
}
