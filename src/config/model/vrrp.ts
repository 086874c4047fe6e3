/** VRRP side of the model. (Filled in by the vrrp keyword table.) */
export interface VrrpConfig {
  instances: unknown[];
}

export function emptyVrrpConfig(): VrrpConfig {
  return { instances: [] };
}
