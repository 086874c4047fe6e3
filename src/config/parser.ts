import type { Diagnostics } from './diagnostics.js';
import type { HostFacts } from './host-facts.js';
import type { KeywordDef } from './keyword-table.js';
import type { LineReader } from './line-reader.js';
import type { KeepalivedConfig } from './model/index.js';

export interface ParseState {
  config: KeepalivedConfig;
  host: HostFacts;
  configId: string;
  diagnostics: Diagnostics;
}

/** keepalived's process_stream(): (being written) */
export function parseStream(reader: LineReader, keywords: readonly KeywordDef[], state: ParseState): void {
  void reader;
  void keywords;
  void state;
}
