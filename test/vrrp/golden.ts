/** Loads the golden vectors captured from keepalived 2.2.7 (test/fixtures/vrrp-golden, see capture.sh). */
import * as fs from 'node:fs';

export const GOLDEN_DIR = new URL('../../../test/fixtures/vrrp-golden/', import.meta.url).pathname;

export interface GoldenPacket {
  index: number;
  time: number;
  ethSrc: string;
  ethDst: string;
  etherType: string;
  hex: string;
  summary: string;
}

export interface GoldenFile {
  scenario: string;
  description: string;
  keepalivedVersion: string;
  config: string;
  packets: GoldenPacket[];
}

export function loadGolden(scenario: string): GoldenFile {
  return JSON.parse(fs.readFileSync(`${GOLDEN_DIR}${scenario}.json`, 'utf8')) as GoldenFile;
}

export function allGolden(): GoldenFile[] {
  return fs
    .readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadGolden(f.replace(/\.json$/, '')));
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
