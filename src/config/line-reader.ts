import type { ConfigFileSystem } from './config-fs.js';
import type { Diagnostics, SourcePosition } from './diagnostics.js';

export interface LineReaderOptions {
  fs: ConfigFileSystem;
  diagnostics: Diagnostics;
  configId: string;
  env: (name: string) => string | undefined;
  allConfig: boolean;
}

/** keepalived's read_line(): (being written) */
export class LineReader {
  constructor(readonly options: LineReaderOptions) {}
  openMain(file: string): boolean {
    void file;
    return false;
  }
  next(): string | undefined {
    return undefined;
  }
  get position(): SourcePosition {
    return { file: '', line: 0 };
  }
  setIncludeCheck(flags: number): void {
    void flags;
  }
  setRandomSeed(seed: number): void {
    void seed;
  }
}
