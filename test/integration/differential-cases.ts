/**
 * Configs for the differential test (keepalived-ts -t against keepalived -t): the corpus samples,
 * small fixtures exercising every lexical feature of keepalived's config reader, and mutations
 * of both, generated deterministically from a fixed seed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DiffCase {
  /** Stable name: `<source>` or `<source>~m<k>-<mutation>`. */
  readonly name: string;
  /** Files relative to the case directory; `main` is the one given to -f. */
  readonly files: Readonly<Record<string, string>>;
  readonly main: string;
  /** Extra arguments for both programs (e.g. -i ID). */
  readonly args: readonly string[];
}

/** mulberry32: a small, fast, seedable PRNG (deterministic across runs and Node versions). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VRRP = `vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        192.168.200.16
        192.168.200.17/24 dev eth1
    }
}
`;

const LVS = `virtual_server 10.10.10.2 1358 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    real_server 192.168.200.2 1358 {
        weight 1
        TCP_CHECK {
            connect_timeout 3
            connect_port 1358
        }
    }
}
`;

export interface Fixture extends Omit<DiffCase, 'name'> {
  readonly id: string;
}

/** Hand-written fixtures: the lexical features of keepalived's read_line()/include handling. */
export const FIXTURES: readonly Fixture[] = [
  { id: 'vrrp', main: 'keepalived.conf', args: [], files: { 'keepalived.conf': VRRP } },
  { id: 'lvs', main: 'keepalived.conf', args: [], files: { 'keepalived.conf': LVS } },
  {
    id: 'global',
    main: 'keepalived.conf',
    args: [],
    files: {
      'keepalived.conf': `global_defs {
   notification_email {
     acassen@firewall.loc
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
   vrrp_garp_interval 0.001
   script_user root
   enable_script_security
}
`,
    },
  },
  {
    id: 'comments',
    main: 'keepalived.conf',
    args: [],
    files: {
      'keepalived.conf': `# full-line comment
! bang comment
global_defs { # trailing hash
   router_id "r1 # not a comment"   ! trailing bang
   notification_email_from "a\\#b@c"
   smtp_helo_name x\\#y
   bogus_kw_in_global "quoted # value" # comment
}   ! after close
`,
    },
  },
  {
    id: 'one-line-blocks',
    main: 'keepalived.conf',
    args: [],
    files: {
      'keepalived.conf': `global_defs { router_id r1 }
vrrp_instance VI_1 { state BACKUP interface eth0 virtual_router_id 7 priority 50 virtual_ipaddress { 10.0.0.1 } }
vrrp_script chk { script "/bin/true" interval 2 }
`,
    },
  },
  {
    id: 'include-glob',
    main: 'keepalived.conf',
    args: [],
    files: {
      'keepalived.conf': `global_defs {
   router_id r1
}
include conf.d/*.conf
include conf.d/{a,b}.inc
include missing/*.conf
include missing.conf
`,
      'conf.d/1.conf': VRRP,
      'conf.d/2.conf': 'bogus_in_included_file 1\n',
      'conf.d/a.inc': '# a\nvrrp_script s { script /bin/true }\n',
      'conf.d/b.inc': 'unknown_in_b yes\n',
    },
  },
  {
    id: 'include-all-config',
    main: 'keepalived.conf',
    args: ['-e'],
    files: { 'keepalived.conf': 'include nothere.conf\nincludet nothere2.conf\nglobal_defs {\n router_id x\n}\n' },
  },
  {
    id: 'config-id',
    main: 'keepalived.conf',
    args: ['-i', 'node1'],
    files: {
      'keepalived.conf': `global_defs {
@node1   router_id n1
@node2   router_id n2
@^node1  bogus_not_node1 1
@^node2  bogus_not_node2 1
}
`,
    },
  },
  {
    id: 'config-id-default',
    main: 'keepalived.conf',
    args: [],
    files: { 'keepalived.conf': '@node1 bogus_node1 1\n@^node1 bogus_not_node1 1\n' },
  },
  {
    id: 'defines',
    main: 'keepalived.conf',
    args: [],
    files: {
      'keepalived.conf': `$IF=eth0
$VRID=51
$PRIO=100
$ADDR=192.168.1.1
vrrp_instance VI_1 {
    interface $IF
    virtual_router_id \${VRID}
    priority $PRIO
    virtual_ipaddress {
        $ADDR
    }
    $UNDEFINED_THING
}
`,
    },
  },
  {
    id: 'multiline-define',
    main: 'keepalived.conf',
    args: [],
    files: {
      'keepalived.conf': `$INSTANCE= \\
vrrp_instance VI_$NUM { \\
    interface eth0 \\
    virtual_router_id $NUM \\
    priority 100 \\
    virtual_ipaddress { \\
        10.0.0.$NUM \\
    } \\
}
$NUM=1
$INSTANCE
$NUM=2
$INSTANCE
`,
    },
  },
  {
    id: 'seq',
    main: 'keepalived.conf',
    args: [],
    files: {
      'keepalived.conf': `~SEQ(N, 1, 3) vrrp_instance VI_$N { interface eth0 virtual_router_id $N priority 100 virtual_ipaddress { 10.0.0.$N } }
~SEQx(N, 10, 2, 14) bogus_seqx_$N
~LST(IF, eth1, eth2) vrrp_instance L_$IF { interface $IF virtual_router_id 9 priority 100 virtual_ipaddress { 10.1.0.1 } }
`,
    },
  },
  {
    id: 'nested-seq',
    main: 'keepalived.conf',
    args: [],
    files: { 'keepalived.conf': '~SEQ(A, 1, 2) ~SEQ(B, 1, 2) bogus_${A}_${B}\n~SEQ(C, 3, 1) bogus_empty_$C\n' },
  },
  {
    id: 'quotes',
    main: 'keepalived.conf',
    args: [],
    files: {
      'keepalived.conf': `vrrp_script chk {
    script "/bin/echo 'a b' \\"c\\""
    interval 2
}
vrrp_script unterminated {
    script "/bin/true
    interval 2
}
`,
    },
  },
  {
    id: 'braces',
    main: 'keepalived.conf',
    args: [],
    files: { 'keepalived.conf': 'global_defs {\n  router_id r1\n}\n}\nvrrp_instance V {\n  interface eth0\n{\n  virtual_router_id 3\n' },
  },
  {
    id: 'lowercase-values',
    main: 'keepalived.conf',
    args: [],
    files: {
      'keepalived.conf': VRRP.replace('MASTER', 'master') + LVS.replace('NAT', 'dr').replace('rr', 'RR').replace('TCP', 'tcp'),
    },
  },
  {
    id: 'out-of-range',
    main: 'keepalived.conf',
    args: [],
    files: {
      'keepalived.conf': VRRP.replace('virtual_router_id 51', 'virtual_router_id 256').replace('priority 100', 'priority 0').replace('advert_int 1', 'advert_int 500'),
    },
  },
  {
    id: 'unknown-keywords',
    main: 'keepalived.conf',
    args: [],
    files: { 'keepalived.conf': 'no_such_top_level 1\nglobal_defs {\n  no_such_global yes\n}\n' + LVS.replace('weight 1', 'weight 1\n        no_such_rs 2') },
  },
  { id: 'empty', main: 'keepalived.conf', args: [], files: { 'keepalived.conf': '' } },
];

/** Mutations: each takes lines and the PRNG, returns new lines (or undefined if it does not apply). */
type Mutation = (lines: string[], rnd: () => number) => string[] | undefined;

const pick = <T>(arr: readonly T[], rnd: () => number): T => arr[Math.floor(rnd() * arr.length)]!;
const contentLines = (lines: string[]) => lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim() !== '' && !/^\s*[#!]/.test(l));

const WRONG_VALUES = ['-1', '0', '256', '65536', '4294967296', '99999999999999999999', 'abc', '1.5', '0x10', '1e3', 'true', '""', '10.0.0.256', '::g'];

const MUTATIONS: Record<string, Mutation> = {
  'delete-line': (lines, rnd) => {
    const c = contentLines(lines);
    if (c.length === 0) return undefined;
    const [, i] = pick(c, rnd);
    return lines.filter((_, k) => k !== i);
  },
  'duplicate-line': (lines, rnd) => {
    const c = contentLines(lines);
    if (c.length === 0) return undefined;
    const [l, i] = pick(c, rnd);
    return [...lines.slice(0, i + 1), l, ...lines.slice(i + 1)];
  },
  'wrong-value': (lines, rnd) => {
    const c = contentLines(lines).filter(([l]) => /^\s*\S+\s+[^{}\s]+/.test(l));
    if (c.length === 0) return undefined;
    const [l, i] = pick(c, rnd);
    const v = pick(WRONG_VALUES, rnd);
    const out = [...lines];
    out[i] = l.replace(/^(\s*\S+\s+)[^{}\s]+/, `$1${v}`);
    return out;
  },
  'missing-value': (lines, rnd) => {
    const c = contentLines(lines).filter(([l]) => /^\s*[a-z_]+\s+[^{}\s]+\s*$/.test(l));
    if (c.length === 0) return undefined;
    const [l, i] = pick(c, rnd);
    const out = [...lines];
    out[i] = l.replace(/^(\s*\S+).*$/, '$1');
    return out;
  },
  'unknown-keyword': (lines, rnd) => {
    const i = Math.floor(rnd() * (lines.length + 1));
    const indent = i > 0 ? (/^\s*/.exec(lines[i - 1] ?? '')?.[0] ?? '') : '';
    return [...lines.slice(0, i), `${indent}bogus_keyword_${Math.floor(rnd() * 1000)} 1`, ...lines.slice(i)];
  },
  'drop-close-brace': (lines, rnd) => {
    const c = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes('}'));
    if (c.length === 0) return undefined;
    const [l, i] = pick(c, rnd);
    const out = [...lines];
    out[i] = l.replace('}', '');
    return out;
  },
  'extra-close-brace': (lines, rnd) => {
    const i = Math.floor(rnd() * (lines.length + 1));
    return [...lines.slice(0, i), '}', ...lines.slice(i)];
  },
  'extra-open-brace': (lines, rnd) => {
    const c = contentLines(lines).filter(([l]) => !l.includes('{'));
    if (c.length === 0) return undefined;
    const [l, i] = pick(c, rnd);
    const out = [...lines];
    out[i] = `${l} {`;
    return out;
  },
  lowercase: (lines) => {
    const re = /\b(MASTER|BACKUP|NAT|DR|TUN|TCP|UDP|PASS|AH)\b/;
    const i = lines.findIndex((l) => re.test(l));
    if (i < 0) return undefined;
    const out = [...lines];
    out[i] = lines[i]!.replace(re, (m) => m.toLowerCase());
    return out;
  },
  'unmatched-quote': (lines, rnd) => {
    const c = contentLines(lines).filter(([l]) => !l.includes('{') && !l.includes('}'));
    if (c.length === 0) return undefined;
    const [l, i] = pick(c, rnd);
    const out = [...lines];
    out[i] = l.replace(/(\s)(\S+)\s*$/, '$1"$2');
    return out;
  },
  comment: (lines, rnd) => {
    const c = contentLines(lines);
    if (c.length === 0) return undefined;
    const [l, i] = pick(c, rnd);
    const out = [...lines];
    out[i] = l + pick([' # trailing', ' ! trailing', ' \\# not a comment', ' "# quoted"', '#glued', ' !'], rnd);
    return out;
  },
  'one-line-block': (lines, rnd) => {
    /* join an innermost block "kw {" … "}" onto one line */
    const starts = lines.map((l, i) => [l, i] as const).filter(([l]) => /\{\s*$/.test(l));
    if (starts.length === 0) return undefined;
    const [, s] = pick(starts, rnd);
    let e = s + 1;
    while (e < lines.length && !lines[e]!.includes('{') && !lines[e]!.includes('}')) e++;
    if (e >= lines.length || lines[e]!.includes('{')) return undefined;
    const joined = lines.slice(s, e + 1).map((l) => l.trim()).join(' ');
    return [...lines.slice(0, s), joined, ...lines.slice(e + 1)];
  },
  'tab-indent': (lines) => lines.map((l) => l.replace(/^ {4}/g, '\t')),
  'crlf': (lines) => lines.map((l) => (l === '' ? l : l + '\r')),
};

const MUTATION_NAMES = Object.keys(MUTATIONS);

/** A fixed seed: the case list (and so the recorded agreement) is the same on every run. */
export const SEED = 0x6b656570; // "keep"

export interface GenerateOptions {
  readonly corpusDir: string;
  readonly mutationsPerSource: number;
  readonly seed?: number;
}

/** Originals first, then mutations, each named after its source and mutation. */
export function generateCases(options: GenerateOptions): DiffCase[] {
  const rnd = prng(options.seed ?? SEED);
  const sources: DiffCase[] = [];
  for (const f of fs.readdirSync(options.corpusDir).filter((n) => n.startsWith('keepalived.conf.')).sort()) {
    sources.push({ name: `corpus/${f}`, main: f, args: [], files: { [f]: fs.readFileSync(path.join(options.corpusDir, f), 'utf8') } });
  }
  for (const fx of FIXTURES) sources.push({ name: `fixture/${fx.id}`, main: fx.main, args: fx.args, files: fx.files });

  const cases: DiffCase[] = [...sources];
  cases.push({ name: 'special/missing-main-file', main: 'not-there.conf', args: [], files: {} });
  for (const src of sources) {
    for (let k = 0; k < options.mutationsPerSource; k++) {
      const which = pick(MUTATION_NAMES, rnd);
      /* mutate the main file, or (sometimes) an included one */
      const targets = Object.keys(src.files);
      const target = targets.length > 1 && rnd() < 0.3 ? pick(targets, rnd) : src.main;
      const before = src.files[target]!.split('\n');
      const after = MUTATIONS[which]!(before, rnd);
      if (!after || after.join('\n') === before.join('\n')) continue;
      cases.push({ name: `${src.name}~m${k}-${which}${target !== src.main ? `@${target}` : ''}`, main: src.main, args: src.args, files: { ...src.files, [target]: after.join('\n') } });
    }
  }
  return cases;
}

/** Write a case's files under dir; returns the absolute path of its main file. */
export function writeCase(c: DiffCase, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(c.files)) {
    const f = path.join(dir, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
  }
  return path.join(dir, c.main);
}
