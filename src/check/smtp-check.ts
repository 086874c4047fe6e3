/**
 * SMTP_CHECK (check_smtp.c): connect, expect a 220 greeting, send "HELO <helo_name>", expect 250,
 * send "QUIT", wait for its answer (any reply: keepalived does not look at it). Each stage —
 * connect, and each reply — has its own connect_timeout; unlike keepalived, whose read timeout
 * restarts with every byte, a stage's timer does not restart, so a server trickling one byte at a
 * time cannot hold an attempt open for longer than a few connect_timeouts.
 *
 * The deprecated `host { }` blocks are separate checkers by the time they reach here (each with
 * its own CheckTarget). node:net cannot set SO_BINDTODEVICE or SO_MARK: bind_if only serves as the
 * scope of a link-local IPv6 server, and fwmark is not applied (as for TCP_CHECK).
 */
import * as net from 'node:net';
import type { SmtpChecker } from '../config/model/lvs.js';
import { registerChecker } from './checker-registry.js';
import type { CheckAttempt, CheckerContext, CheckOutcome } from './checker-types.js';
import { SmtpReplyReader, type SmtpReply } from './smtp-reply.js';

const ABORTED: CheckOutcome = { ok: false, reason: 'check aborted' };

type Stage = 'connect' | 'banner' | 'helo' | 'quit';

export function createSmtpCheck(ctx: CheckerContext): CheckAttempt {
  const checker = ctx.checker as SmtpChecker;
  const target = ctx.target;
  const where = `[${target.address}]:${target.port}`;
  const stageMs = Math.max(1, Math.ceil(target.connectTimeout / 1000));
  // a helo_name is one config token, but a line break in it would smuggle a second command
  const heloName = checker.heloName.replace(/[\r\n]/g, '');

  return {
    run(signal: AbortSignal): Promise<CheckOutcome> {
      if (signal.aborted) return Promise.resolve(ABORTED);
      return new Promise<CheckOutcome>((resolve) => {
        let stage: Stage = 'connect';
        let reader = new SmtpReplyReader();
        let timer: NodeJS.Timeout | undefined;
        let done = false;

        const sock = net.connect({
          host: connectHost(target),
          port: target.port,
          family: target.family === 'inet' ? 4 : 6,
          ...(target.bindAddress !== undefined ? { localAddress: target.bindAddress } : {}),
          ...(target.bindPort ? { localPort: target.bindPort } : {}),
        });

        const finish = (outcome: CheckOutcome): void => {
          if (done) return;
          done = true;
          if (timer) clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          sock.removeAllListeners('data');
          sock.on('error', () => {}); // late errors from the teardown are of no interest
          sock.destroy();
          resolve(outcome);
        };
        const onAbort = (): void => finish(ABORTED);
        const armStage = (next: Stage): void => {
          stage = next;
          reader = new SmtpReplyReader();
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => finish({ ok: false, reason: timeoutReason(stage, where) }), stageMs);
        };
        const onReply = (reply: SmtpReply): void => {
          switch (stage) {
            case 'banner':
              if (reply.code !== 220) return finish({ ok: false, reason: `Bad greeting banner from server ${where} (${reply.code})` });
              armStage('helo');
              sock.write(`HELO ${heloName}\r\n`);
              return;
            case 'helo':
              if (reply.code !== 250) return finish({ ok: false, reason: `Bad HELO response from server ${where} (${reply.code})` });
              armStage('quit');
              sock.write('QUIT\r\n');
              return;
            case 'quit':
              return finish({ ok: true, reason: `Remote SMTP server ${where} succeed on service` });
            case 'connect':
              return;
          }
        };

        signal.addEventListener('abort', onAbort, { once: true });
        armStage('connect');
        sock.once('connect', () => armStage('banner'));
        sock.on('data', (chunk: Buffer) => {
          if (stage === 'connect') return;
          const r = reader.push(chunk);
          if (r.kind === 'reply') onReply(r.reply);
          else if (r.kind === 'error') finish({ ok: false, reason: `Bad reply from server ${where}: ${r.reason}` });
        });
        sock.on('error', (e: NodeJS.ErrnoException) => {
          const what = stage === 'connect' ? 'Error connecting to server' : 'Read failure from server';
          finish({ ok: false, reason: `${what} ${where}: ${e.code ?? e.message}` });
        });
        sock.on('end', () => finish({ ok: false, reason: `Read failure from server ${where}: connection closed during ${stage}` }));
        sock.on('close', () => finish({ ok: false, reason: `Read failure from server ${where}: connection closed during ${stage}` }));
      });
    },
  };
}

/** A link-local IPv6 server is reached through bind_if, given to node:net as the scope id. */
function connectHost(target: CheckerContext['target']): string {
  const linkLocal = target.family === 'inet6' && /^fe[89ab][0-9a-f]:/i.test(target.address);
  return linkLocal && target.bindInterface !== undefined && !target.address.includes('%') ? `${target.address}%${target.bindInterface}` : target.address;
}

function timeoutReason(stage: Stage, where: string): string {
  return stage === 'connect' ? `Connection timeout to server ${where}` : `Read timeout from server ${where} (waiting for the ${stage} reply)`;
}

registerChecker('SMTP_CHECK', (ctx) => createSmtpCheck(ctx));
