/**
 * track_file: keepalived's parsing of the file's content, init_file, and the values a
 * FileTracker reports through writes, renames into place, moves away and deletions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { FileTracker, initTrackFile, parseTrackFileValue } from '../../../src/platform/linux/track-file.js';
import { TempDir, recordingLog, waitFor } from './script-test-helpers.js';

test('content parsing follows strtol(…, NULL, 0) and keepalived\'s range check', () => {
  const cases: [string, number | 'invalid'][] = [
    ['42\n', 42],
    ['  \t\n-17 trailing', -17],
    ['+5', 5],
    ['0x1F', 31],
    ['0X1f\n', 31],
    ['010', 8],
    ['08', 0],
    ['0x', 0],
    ['0xg', 0],
    ['abc', 0],
    ['', 0],
    ['-', 0],
    ['12abc', 12],
    ['3.9', 3],
    ['2147483647', 2147483647],
    ['2147483648', 2147483648],
    ['2147483649', 'invalid'],
    ['-2147483648', -2147483648],
    ['-2147483649', 'invalid'],
    ['99999999999999999999999', 'invalid'],
    ['-0x80000000', -2147483648],
  ];
  for (const [text, want] of cases) {
    const got = parseTrackFileValue(text);
    if (want === 'invalid') assert.ok('invalid' in got, `${JSON.stringify(text)} is rejected`);
    else assert.deepEqual(got, { value: want }, JSON.stringify(text));
  }
  // only the first 127 bytes are read
  assert.deepEqual(parseTrackFileValue(Buffer.from(' '.repeat(126) + '12')), { value: 1 });
});

test('init_file: create only when missing, overwrite regular files, never on reload', () => {
  const dir = new TempDir();
  try {
    const f = dir.file('v');
    assert.equal(initTrackFile('tf', f, { mode: 'create', value: 5 }), undefined);
    assert.equal(fs.readFileSync(f, 'utf8'), '5\n');
    assert.equal(fs.statSync(f).mode & 0o777, 0o666 & ~process.umask());
    fs.writeFileSync(f, '9\n');
    initTrackFile('tf', f, { mode: 'create', value: 5 });
    assert.equal(fs.readFileSync(f, 'utf8'), '9\n');
    initTrackFile('tf', f, { mode: 'overwrite', value: -3 });
    assert.equal(fs.readFileSync(f, 'utf8'), '-3\n');
    initTrackFile('tf', f, { mode: 'overwrite', value: 7 }, { reload: true });
    assert.equal(fs.readFileSync(f, 'utf8'), '-3\n');
    fs.mkdirSync(dir.file('d'));
    assert.equal(initTrackFile('td', dir.file('d'), { mode: 'overwrite', value: 1 }), 'Cannot initialise track file td - it is not a regular file');
    assert.match(initTrackFile('tx', dir.file('no/such/dir/v'), { mode: 'create', value: 1 }) ?? '', /^Unable to initialise track file tx/);
    assert.deepEqual(fs.readdirSync(dir.path).sort(), ['d', 'v']);
  } finally {
    dir.remove();
  }
});

test('FileTracker: initial value, then every write, rename, move away and delete', async () => {
  const dir = new TempDir();
  const values: number[] = [];
  const { log, lines } = recordingLog();
  const f = dir.file('weight');
  fs.writeFileSync(f, '10\n');
  const tracker = new FileTracker({ name: 'tf', filePath: f, onChange: (v) => values.push(v), log });
  try {
    assert.equal(tracker.start(), true);
    assert.equal(tracker.value, 10);
    assert.deepEqual(tracker.trackerInit(), { kind: 'file', name: 'tf', value: 10 });
    assert.deepEqual(values, []);

    fs.writeFileSync(f, '20\n');
    await waitFor(() => values.length === 1, 'the write');
    fs.writeFileSync(f, '20\n'); // same value: no report
    spawnSync('sh', ['-c', `echo 0x1e > '${f}'`]);
    await waitFor(() => values.length === 2, 'the shell redirect');

    const tmp = dir.file('weight.new');
    fs.writeFileSync(tmp, '-5');
    fs.renameSync(tmp, f);
    await waitFor(() => values.length === 3, 'the rename into place');

    fs.renameSync(f, dir.file('elsewhere'));
    await waitFor(() => values.length === 4, 'the move away');

    fs.writeFileSync(f, '7');
    await waitFor(() => values.length === 5, 'the new file');

    fs.writeFileSync(dir.file('other'), '1');
    fs.writeFileSync(f, '99999999999');
    await waitFor(() => tracker.invalidReads === 1, 'the invalid content to be read');
    fs.writeFileSync(f, '8');
    await waitFor(() => values.length === 6, 'the write after an invalid one');

    fs.unlinkSync(f);
    await waitFor(() => values.length === 7, 'the deletion');

    assert.deepEqual(values, [20, 30, -5, 0, 7, 8, 0]);
    assert.equal(tracker.invalidReads, 1);
    assert.ok(lines.some((l) => l.message === `Invalid number 99999999999 read from ${f} - ignoring`));
  } finally {
    tracker.stop();
    dir.remove();
  }
});

test('FileTracker: a file that does not exist yet reads 0 and is picked up when created; a symlink is followed', async () => {
  const dir = new TempDir();
  const values: number[] = [];
  const target = dir.file('real');
  const link = dir.file('link');
  const missing = new FileTracker({ name: 'later', filePath: dir.file('later'), onChange: (v) => values.push(v) });
  let linked: FileTracker | undefined;
  try {
    assert.equal(missing.start(), true);
    assert.equal(missing.value, 0);
    fs.writeFileSync(dir.file('later'), '3\n');
    await waitFor(() => values.length === 1, 'the file to appear');
    assert.deepEqual(values, [3]);

    fs.writeFileSync(target, '4');
    fs.symlinkSync(target, link);
    const seen: number[] = [];
    linked = new FileTracker({ name: 'linked', filePath: link, onChange: (v) => seen.push(v) });
    assert.equal(linked.start(), true);
    assert.equal(linked.watchedPath, target);
    assert.equal(linked.value, 4);
    fs.writeFileSync(target, '6');
    await waitFor(() => seen.length === 1, 'the target write');
    assert.deepEqual(seen, [6]);
  } finally {
    missing.stop();
    linked?.stop();
    dir.remove();
  }
});

test('FileTracker refuses a file whose directory does not exist, without throwing', () => {
  const dir = new TempDir();
  const { log, lines } = recordingLog();
  try {
    const t = new FileTracker({ name: 'nowhere', filePath: dir.file('no/such/file'), onChange: () => assert.fail('no change expected'), log });
    assert.equal(t.start(), false);
    assert.equal(t.active, false);
    assert.equal(t.value, 0);
    assert.deepEqual(lines, [{ level: 'error', message: 'Track file directory for nowhere does not exist - removing' }]);
    t.stop();
  } finally {
    dir.remove();
  }
});
