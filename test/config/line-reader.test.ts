/**
 * The line reader reproduces keepalived's read_line(): what a keyword handler finally sees.
 * Expected outputs follow keepalived 2.2.7's behaviour (lib/parser.c; the [verified 2.2.7]
 * examples of the reference).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFileSystem } from '../../src/config/config-fs.js';
import { Diagnostics, formatDiagnostic } from '../../src/config/diagnostics.js';
import { LineReader } from '../../src/config/line-reader.js';
import { Random } from '../../src/config/random.js';

function read(files: Record<string, string>, opts: { configId?: string; env?: Record<string, string>; main?: string } = {}) {
  const diagnostics = new Diagnostics();
  const reader = new LineReader({
    fs: memoryFileSystem(files, '/'),
    diagnostics,
    configId: opts.configId ?? 'lb1',
    env: (n) => opts.env?.[n],
    allConfig: false,
    randomSeed: 1,
  });
  const lines: string[] = [];
  const positions: string[] = [];
  if (reader.openMain(opts.main ?? '/k.conf')) {
    let l: string | undefined;
    while ((l = reader.next()) !== undefined) {
      lines.push(l);
      const p = reader.position;
      positions.push(p ? `${p.file}:${p.line}` : '-');
    }
    reader.finish();
  }
  return { lines, positions, diags: diagnostics.list.map(formatDiagnostic), diagnostics };
}

test('comments: # and ! outside quotes end the line, \\# and \\! are literal, quotes protect', () => {
  const r = read({ '/k.conf': 'priority 100  # main\n! whole line\nrouter_id a\\#b\nvirtualhost "x#y" # c\n' });
  assert.deepEqual(r.lines, ['priority 100', 'router_id a#b', 'virtualhost "x#y"']);
  assert.deepEqual(r.positions, ['/k.conf:1', '/k.conf:3', '/k.conf:4']);
});

test('braces split lines so one-line blocks work', () => {
  const r = read({ '/k.conf': 'global_defs { router_id X }\n' });
  assert.deepEqual(r.lines, ['global_defs', '{', 'router_id X', '}']);
});

test('a brace inside double quotes does not split', () => {
  const r = read({ '/k.conf': 'notify "/bin/echo {a}"\n' });
  assert.deepEqual(r.lines, ['notify "/bin/echo {a}"']);
});

test('; is not a separator', () => {
  assert.deepEqual(read({ '/k.conf': 'state BACKUP; interface lo\n' }).lines, ['state BACKUP; interface lo']);
});

test('an extra } is reported where it is read; a missing } at the end', () => {
  const extra = read({ '/k.conf': 'a {\n}\n}\n' });
  assert.deepEqual(extra.diags, ["(/k.conf: Line 3) Extra '}' found"]);
  const missing = read({ '/k.conf': 'a {\nb {\n}\n' });
  assert.deepEqual(missing.diags, ["There are 1 missing '}'s or extra '{'s"]);
});

test('@id and @^id keep or drop a line by config id', () => {
  const text = '@lb1 priority 150\n@^lb1 priority 100\n@lb2 priority 50\n@lb1\n';
  assert.deepEqual(read({ '/k.conf': text }).lines, ['priority 150']);
  assert.deepEqual(read({ '/k.conf': text }, { configId: 'lb2' }).lines, ['priority 100', 'priority 50']);
});

test('$NAME=value definitions and $NAME / ${NAME} substitution; undefined names stay', () => {
  const r = read({ '/k.conf': '$PRIO=150\n$VIP_BASE=10.9.9\npriority $PRIO\naddr ${VIP_BASE}.1/24 $UNDEF\n$X =1\n' });
  assert.deepEqual(r.lines, ['priority 150', 'addr 10.9.9.1/24 $UNDEF', '$X =1']);
});

test('a definition may be redefined, and substitution is recursive and lazy', () => {
  const r = read({ '/k.conf': '$A=1\n$B=${A}${A}\nx $B\n$A=2\ny ${B}\n' });
  assert.deepEqual(r.lines, ['x 11', 'y 22']);
});

test('$NAME must be followed by a blank, a comma, a parenthesis or the end of the line', () => {
  assert.deepEqual(read({ '/k.conf': '$A=1\nx $A$A $A-\n' }).lines, ['x $A1 $A-']);
});

test('multi-line definitions replay their lines, nested ones too', () => {
  const text = [
    '$RS= \\',
    'real_server 1.1.1.1 80 { \\',
    '  weight 1 \\',
    '}',
    '$VS=virtual_server 10.0.0.1 80 { \\',
    '  $RS \\',
    '}',
    '$VS',
    'after',
    '',
  ].join('\n');
  const r = read({ '/k.conf': text });
  assert.deepEqual(r.lines, ['virtual_server 10.0.0.1 80', '{', 'real_server 1.1.1.1 80', '{', 'weight 1', '}', '}', 'after']);
});

test('built-ins: ${_INSTANCE}, ${_HASH}, ${_BANG}, ${_PWD}, ${_ENV VAR}, ${_RANDOM min max}', () => {
  const r = read(
    { '/etc/ka/k.conf': 'router_id lb_${_INSTANCE}\nx ${_HASH}${_BANG}\nq "${_HASH}${_BANG}"\npwd ${_PWD}\nenv ${_ENV HOME}\nr ${_RANDOM 5 5}\n' },
    { main: '/etc/ka/k.conf', env: { HOME: '/root' } },
  );
  assert.deepEqual(r.lines, ['router_id lb_lb1', 'x', 'q "#!"', 'pwd /etc/ka', 'env /root', 'r 5']);
});

test('~SEQ, ~SEQx and ~LST repeat a line; several on one line nest, leftmost outermost', () => {
  assert.deepEqual(read({ '/k.conf': '$X=0\n~SEQ(N, 1, 3) 10.9.9.${N}/32\n' }).lines, ['10.9.9.1/32', '10.9.9.2/32', '10.9.9.3/32']);
  assert.deepEqual(read({ '/k.conf': '~SEQ(N,3) v$N\n' }).lines, ['v1', 'v2', 'v3']);
  assert.deepEqual(read({ '/k.conf': '~SEQ(N,3,1) v$N\n' }).lines, ['v3', 'v2', 'v1']);
  assert.deepEqual(read({ '/k.conf': '~SEQx(N,9,2,13) a::${N}\n' }).lines, ['a::9', 'a::b', 'a::d']);
  assert.deepEqual(read({ '/k.conf': '~LST(IP,1,5) 10.0.0.${IP}\n' }).lines, ['10.0.0.1', '10.0.0.5']);
  assert.deepEqual(read({ '/k.conf': '~LST({A,B},{1,2},{3,4}) ${A}-${B}\n' }).lines, ['1-2', '3-4']);
  assert.deepEqual(read({ '/k.conf': '~SEQ(A,1,2) ~SEQ(B,1,2) ${A}.${B}\n' }).lines, ['1.1', '1.2', '2.1', '2.2']);
});

test('invalid ~SEQ values are reported', () => {
  const r = read({ '/k.conf': '~SEQ(N,1,-1,3) x\n' });
  assert.deepEqual(r.lines, []);
  assert.deepEqual(r.diags, [
    "(/k.conf: Line 1) Invalid ~SEQ values '~SEQ(N,1,-1,3) x'",
    "(/k.conf: Line 1) Invalid ~SEQ specification '~SEQ(N,1,-1,3) x'",
  ]);
});

test('include: relative to the including file, glob in order, braces, inside blocks', () => {
  const r = read({
    '/etc/ka/k.conf': 'a {\ninclude conf.d/*.conf\n}\ninclude /etc/ka/{x,y}.inc\n',
    '/etc/ka/conf.d/20.conf': 'twenty\n',
    '/etc/ka/conf.d/10.conf': 'ten\n',
    '/etc/ka/x.inc': 'ex\n',
    '/etc/ka/y.inc': 'why\n',
  }, { main: '/etc/ka/k.conf' });
  assert.deepEqual(r.lines, ['a', '{', 'ten', 'twenty', '}', 'ex', 'why']);
  assert.deepEqual(r.positions, ['/etc/ka/k.conf:1', '/etc/ka/k.conf:1', 'conf.d/10.conf:1', 'conf.d/20.conf:1', '/etc/ka/k.conf:3', '/etc/ka/x.inc:1', '/etc/ka/y.inc:1']);
  assert.deepEqual(r.diags, []);
});

test('plain include of a missing file is said but is no error; includem/includew make keepalived stop (exit 6)', () => {
  const plain = read({ '/k.conf': 'include /nope.conf\n' });
  assert.deepEqual(plain.diags, ["(/k.conf: Line 1) Config files missing '/nope.conf'."]);
  assert.equal(plain.diagnostics.exitCode(), 0);
  const checked = read({ '/k.conf': 'includem /nope.conf\n' });
  assert.equal(checked.diagnostics.exitCode(), 6);
  const wild = read({ '/k.conf': 'includew /etc/*.none\n', '/etc/a.conf': 'x\n' });
  assert.deepEqual(wild.diags, ["(/k.conf: Line 1) No config files matched '/etc/*.none'."]);
  assert.equal(wild.diagnostics.exitCode(), 6);
});

test('a recursive include is a diagnostic, not a hang', () => {
  const r = read({ '/a.conf': 'a1\ninclude /b.conf\na2\n', '/b.conf': 'b1\ninclude /a.conf\nb2\n' }, { main: '/a.conf' });
  assert.deepEqual(r.lines, ['a1', 'b1', 'b2', 'a2']);
  assert.deepEqual(r.diags, ["(/b.conf: Line 2) Configuration file '/a.conf' includes itself (recursive include) - skipping"]);
  assert.equal(r.diagnostics.exitCode(), 4);
});

test('a self-referencing definition stops with a diagnostic', () => {
  const r = read({ '/k.conf': '$A=$A\nx $A\n' });
  assert.equal(r.lines.length, 1);
  assert.match(r.diags[0]!, /refers to itself/);
});

test('over-long lines and NUL bytes are reported', () => {
  const r = read({ '/k.conf': 'x'.repeat(5000) + '\nok\nab\0cd\n' });
  assert.deepEqual(r.lines, ['ok', 'ab']);
  assert.deepEqual(r.diags, [
    '(/k.conf: Line 1) Line too long (5000 bytes, at most 1023) - ignoring',
    '(/k.conf: Line 3) Line contains a NUL byte - the rest of the line is ignored',
  ]);
});

test('a last line without a newline is counted like any other', () => {
  assert.deepEqual(read({ '/k.conf': 'a\nb' }).positions, ['/k.conf:1', '/k.conf:2']);
});

test('glibc random(): the same sequence as keepalived gets from srandom(seed)', () => {
  const r = new Random(1);
  assert.deepEqual([r.next(), r.next(), r.next()], [1804289383, 846930886, 1681692777]);
});
