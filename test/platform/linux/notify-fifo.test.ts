/**
 * NotifyFifo: the FIFO is created 0644 and removed only if we made it, writes never block
 * without a reader (lines queue, then are dropped and counted when the pipe is full), the
 * notify_fifo_script is started with the FIFO's path and reads the lines in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { NotifyFifo } from '../../../src/platform/linux/notify-fifo.js';
import { TempDir, isRoot, processExists, recordingLog, waitFor } from './script-test-helpers.js';

test('creates the FIFO 0644, writes without a reader without blocking, removes it on close', () => {
  const dir = new TempDir();
  const path = dir.file('notify.fifo');
  const { log, lines } = recordingLog();
  const fifo = new NotifyFifo({ path, type: 'vrrp_', log });
  try {
    assert.equal(fifo.open(), true);
    assert.equal(fifo.createdFifo, true);
    const st = fs.statSync(path);
    assert.ok(st.isFIFO());
    assert.equal(st.mode & 0o777, 0o644 & ~process.umask());
    // no reader: lines queue in the pipe (64 KiB), then are dropped
    const line = `INSTANCE "VI_1" MASTER 100 ${'x'.repeat(100)}\n`;
    let accepted = 0;
    for (let i = 0; i < 2000; i++) if (fifo.write(line)) accepted++;
    assert.ok(accepted > 0 && accepted < 2000);
    assert.deepEqual(fifo.stats, { written: accepted, dropped: 2000 - accepted });
    assert.equal(lines.filter((l) => l.message.includes('dropping lines')).length, 1);
    fifo.close();
    assert.equal(fs.existsSync(path), false);
    assert.equal(fifo.write('late\n'), false);
  } finally {
    fifo.close();
    dir.remove();
  }
});

test('an existing FIFO is used as it is and left in place', () => {
  const dir = new TempDir();
  const path = dir.file('existing.fifo');
  assert.equal(spawnSync('mkfifo', ['-m', '0600', path]).status, 0);
  const fifo = new NotifyFifo({ path });
  try {
    assert.equal(fifo.open(), true);
    assert.equal(fifo.createdFifo, false);
    assert.equal(fifo.write('GROUP "G1" BACKUP 0\n'), true);
    fifo.close();
    assert.ok(fs.statSync(path).isFIFO());
    assert.equal(fs.statSync(path).mode & 0o777, 0o600);
  } finally {
    fifo.close();
    dir.remove();
  }
});

test('a FIFO in a missing directory is reported, not thrown', () => {
  const dir = new TempDir();
  const { log, lines } = recordingLog();
  const fifo = new NotifyFifo({ path: dir.file('no/such/fifo'), log });
  try {
    assert.equal(fifo.open(), false);
    assert.equal(fifo.isOpen, false);
    assert.match(lines[0]?.message ?? '', /^Unable to create notify fifo .*no\/such\/fifo/);
    assert.equal(fifo.write('x\n'), false);
  } finally {
    dir.remove();
  }
});

test('the notify_fifo_script gets the FIFO path as its last argument and reads the lines in order', async () => {
  const dir = new TempDir();
  const path = dir.file('script.fifo');
  const out = dir.file('read.txt');
  const reader = dir.script('reader.sh', '#!/bin/sh\n# $1: output file, $2: the fifo (added by keepalived)\nexec cat "$2" > "$1"\n');
  const { log, lines } = recordingLog();
  const fifo = new NotifyFifo({ path, script: { argv: [reader, out] }, log });
  let pid: number | undefined;
  try {
    assert.equal(fifo.open(), true);
    pid = fifo.scriptPid;
    assert.ok(pid !== undefined);
    const sent = ['INSTANCE "VI_1" BACKUP 100\n', 'INSTANCE "VI_1" MASTER 100\n', 'GROUP "G" MASTER 0\n'];
    for (const l of sent) assert.equal(fifo.write(l), true);
    await waitFor(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8') === sent.join(''), 'the reader to get every line');
    fifo.close(300);
    await waitFor(() => !processExists(pid!), 'the reader script to be gone');
    await waitFor(() => lines.some((l) => l.message === 'vrrp notify fifo script terminated'), 'the exit to be logged');
    assert.equal(fs.existsSync(path), false);
  } finally {
    fifo.close();
    if (pid !== undefined && processExists(pid)) process.kill(pid, 'SIGKILL');
    dir.remove();
  }
});

test('a FIFO we create is given to the fifo user', { skip: isRoot() ? false : 'needs root to chown' }, () => {
  const dir = new TempDir();
  const path = dir.file('owned.fifo');
  const fifo = new NotifyFifo({ path, uid: 65534, gid: 65534 });
  try {
    assert.equal(fifo.open(), true);
    const st = fs.statSync(path);
    assert.deepEqual([st.uid, st.gid], [65534, 65534]);
  } finally {
    fifo.close();
    dir.remove();
  }
});
