import type { KeepalivedConfig } from '../model/index.js';
import type { HostFacts } from '../host-facts.js';
import type { Reporter } from '../values.js';

/** What a post-parse validator gets: the model, the host, and a reporter (no line numbers). */
export interface ValidationContext extends Reporter {
  readonly config: KeepalivedConfig;
  readonly host: HostFacts;
}
