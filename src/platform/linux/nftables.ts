/**
 * nftables commands in-process through libnftables (one transaction per call, ~0.1 ms), or the
 * `nft` program when the library cannot be loaded (15–20 ms a call). Input is nft's native syntax.
 */
import { spawnSync } from 'node:child_process';
import { koffi } from './libc.js';

type NativeFn = (...args: unknown[]) => unknown;

export interface NftResult {
  readonly ok: boolean;
  /** nft's error text when not ok. */
  readonly error: string;
}

export interface Nftables {
  run(commands: string): NftResult;
  close(): void;
}

const NFT_CTX_OUTPUT_HANDLE = 1 << 1;

function libraryClient(): Nftables {
  const k = koffi();
  const lib = k.load('libnftables.so.1');
  const ctxNew = lib.func('void *nft_ctx_new(uint32_t flags)') as NativeFn;
  const ctxFree = lib.func('void nft_ctx_free(void *ctx)') as NativeFn;
  const bufferOutput = lib.func('int nft_ctx_buffer_output(void *ctx)') as NativeFn;
  const bufferError = lib.func('int nft_ctx_buffer_error(void *ctx)') as NativeFn;
  const getError = lib.func('const char *nft_ctx_get_error_buffer(void *ctx)') as NativeFn;
  const setOutputFlags = lib.func('void nft_ctx_output_set_flags(void *ctx, uint32_t flags)') as NativeFn;
  const runCmd = lib.func('int nft_run_cmd_from_buffer(void *ctx, const char *buf)') as NativeFn;
  const ctx = ctxNew(0);
  if (!ctx) throw new Error('nft_ctx_new failed');
  bufferOutput(ctx);
  bufferError(ctx);
  setOutputFlags(ctx, NFT_CTX_OUTPUT_HANDLE);
  let open = true;
  return {
    run(commands) {
      if (!open) return { ok: false, error: 'nftables context closed' };
      const rc = Number(runCmd(ctx, commands));
      // reading the buffer also resets it for the next command
      const error = String(getError(ctx) ?? '');
      return { ok: rc === 0, error: error.trim() };
    },
    close() {
      if (open) ctxFree(ctx);
      open = false;
    },
  };
}

function programClient(): Nftables {
  return {
    run(commands) {
      const r = spawnSync('nft', ['-f', '-'], { input: commands, encoding: 'utf8' });
      if (r.error) return { ok: false, error: `nft: ${r.error.message}` };
      return { ok: r.status === 0, error: (r.stderr ?? '').trim() };
    },
    close() {},
  };
}

export function openNftables(): Nftables {
  try {
    return libraryClient();
  } catch {
    return programClient();
  }
}
