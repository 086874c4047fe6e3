/** global_defs and root-level global settings. (Filled in by the global keyword table.) */
export interface GlobalConfig {
  routerId: string | undefined;
  hostname: string;
}

export function emptyGlobalConfig(hostname: string): GlobalConfig {
  return { routerId: undefined, hostname };
}
