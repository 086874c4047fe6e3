/** The keepalived-ts command. (Being written: flags and subcommands.) */
export async function main(argv: readonly string[]): Promise<number> {
  void argv;
  return 0;
}
