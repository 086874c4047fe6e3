/** bfd_instance blocks. (Filled in by the bfd keyword table.) */
export interface BfdConfig {
  instances: unknown[];
}

export function emptyBfdConfig(): BfdConfig {
  return { instances: [] };
}
