/** Virtual servers, real servers and checkers. (Filled in by the check keyword table.) */
export interface LvsConfig {
  virtualServers: unknown[];
}

export function emptyLvsConfig(): LvsConfig {
  return { virtualServers: [] };
}
