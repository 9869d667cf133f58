/**
 * The pure content checks: images, commands, environment and ConfigMap values. Each returns undefined when the
 * action passes, or the refusal (constraint id and why).
 */
import type { ActionProposal } from '../../core/actions.js';
import type {
  CommandConstraints,
  ConfigValueGrant,
  EnvConstraints,
  ImageConstraints,
} from '../../core/policy-constraints.js';
import type { ConstraintFacts } from './facts.js';
import type { Refusal } from './types.js';
import { globMatch } from './glob.js';

type Of<K extends ActionProposal['kind']> = Extract<ActionProposal, { kind: K }>;

/** `[registry/]path[:tag][@digest]` → registry host and `registry/path`, as the container runtime resolves it. */
export function parseImage(image: string): { registry: string; repository: string; digest: boolean } {
  const at = image.indexOf('@');
  const digest = at >= 0 && /^sha256:[0-9a-f]{64}$/.test(image.slice(at + 1));
  let name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) name = name.slice(0, colon);
  const first = name.split('/')[0] ?? '';
  const hasRegistry =
    name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let path = hasRegistry ? name.slice(first.length + 1) : name;
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return { registry: registry.toLowerCase(), repository: `${registry.toLowerCase()}/${path}`, digest };
}

export function checkImage(
  action: Of<'setImage'>,
  policy: ImageConstraints | undefined,
  facts: ConstraintFacts,
): Refusal | undefined {
  const wanted = parseImage(action.image);
  if (policy?.requireDigest === true && !wanted.digest)
    return { constraint: 'images.digest', reason: `${action.image} is not pinned by an @sha256 digest` };
  if ((policy?.repositories ?? []).some((g) => globMatch(g, wanted.repository))) return undefined;
  if ((policy?.registries ?? []).some((g) => globMatch(g, wanted.registry))) return undefined;
  if (!facts.history) return unreadable('images.history', facts);
  const known = facts.history
    .flatMap((r) => r.containers)
    .map((c) => (c.image ? parseImage(c.image) : undefined));
  if (known.some((k) => k?.repository === wanted.repository)) return undefined;
  if (!known.some((k) => k?.registry === wanted.registry))
    return {
      constraint: 'images.registry',
      reason: `registry ${wanted.registry} is neither in the workload's revision history nor in the policy's registries`,
    };
  return {
    constraint: 'images.repository',
    reason: `repository ${wanted.repository} is neither in the workload's revision history nor in the policy's repositories`,
  };
}

/** Programs that run a program given as an argument, and the flags that say so. */
const INLINE_FLAGS: Record<string, readonly string[]> = {
  sh: ['-c'],
  bash: ['-c'],
  dash: ['-c'],
  zsh: ['-c'],
  ksh: ['-c'],
  ash: ['-c'],
  python: ['-c'],
  python2: ['-c'],
  python3: ['-c'],
  node: ['-e', '--eval', '-p', '--print'],
  nodejs: ['-e', '--eval', '-p', '--print'],
  deno: ['eval'],
  bun: ['-e', '--eval'],
  perl: ['-e', '-E'],
  ruby: ['-e'],
  php: ['-r'],
  lua: ['-e'],
  awk: ['*'],
  gawk: ['*'],
  pwsh: ['-c', '-command', '-encodedcommand'],
  powershell: ['-c', '-command', '-encodedcommand'],
  cmd: ['/c', '/k'],
  osascript: ['-e'],
  tclsh: ['*'],
};
const base = (word: string) => (word.split('/').pop() ?? word).toLowerCase();
/** python3.11 → python3, perl5.36 → perl. */
const family = (name: string) => (INLINE_FLAGS[name] ? name : name.replace(/[0-9.]+$/, ''));
const isInlineFlag = (flags: readonly string[], word: string) =>
  flags.includes('*') || flags.includes(word) || (flags.includes('-c') && /^-[a-z]*c[a-z]*$/.test(word));

/**
 * The interpreter that would run an inline program, when any word of the argv is one and a later word is its
 * inline flag: wrappers (`env`, `timeout 5`, `busybox`) or a launcher's own options cannot hide it.
 */
export function inlineProgram(argv: readonly string[]): string | undefined {
  for (const [i, word] of argv.entries()) {
    const name = family(base(word));
    const flags = INLINE_FLAGS[name];
    if (flags && argv.slice(i + 1).some((w) => isInlineFlag(flags, w.toLowerCase()))) return name;
  }
  return undefined;
}

const sameArgv = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

/** Another workload's command with its own name in place of the other's: `[geo]` on geo → `[profile]` on profile. */
function asIfFor(argv: readonly string[] | undefined, from: string, to: string): string[] {
  return (argv ?? []).map((w) => w.split(from).join(to));
}

export function checkCommand(
  action: Of<'setCommand'>,
  policy: CommandConstraints | undefined,
  facts: ConstraintFacts,
): Refusal | undefined {
  if (!facts.workload || !facts.history) return unreadable('commands.history', facts);
  const current = facts.workload.containers.find((c) => c.name === action.container);
  if (!current) return { constraint: 'commands.container', reason: `no container ${action.container}` };
  const args = action.args ?? current.args ?? [];
  const argv = [...action.command, ...args];
  const inline = inlineProgram(argv);
  if (inline !== undefined && !(policy?.inlinePrograms ?? []).includes(inline))
    return {
      constraint: 'commands.inline-program',
      reason: `${inline} with an inline program is refused unless the policy names it (constraints.commands.inlinePrograms)`,
    };
  const fits = (command: string[] | undefined, cArgs: string[] | undefined) =>
    sameArgv(command, action.command) && sameArgv(cArgs, args);
  const own = facts.history.some((r) =>
    r.containers.some((c) => c.name === action.container && fits(c.command, c.args)),
  );
  if (own) return undefined;
  if ((policy?.allowed ?? []).some((pattern) => argvMatch(pattern, argv))) return undefined;
  if (!facts.neighbours) return unreadable('commands.neighbours', facts);
  const image = current.image ? parseImage(current.image).repository : undefined;
  const sameImage = facts.neighbours.flatMap((w) =>
    w.containers
      .filter((c) => image !== undefined && c.image !== undefined && parseImage(c.image).repository === image)
      .map((c) => ({ w, c })),
  );
  const matched = sameImage.some(
    ({ w, c }) =>
      fits(c.command, c.args) ||
      fits(asIfFor(c.command, w.name, action.name), asIfFor(c.args, w.name, action.name)),
  );
  if (matched) return undefined;
  return {
    constraint: 'commands.unknown',
    reason: `${JSON.stringify(argv)} is not in the workload's revision history, not the command of another workload of image ${image ?? '?'}, and not in the policy's allow-list`,
  };
}

function argvMatch(pattern: readonly string[], argv: readonly string[]): boolean {
  return pattern.length === argv.length && pattern.every((p, i) => p === '*' || p === argv[i]);
}

/**
 * Variables that make a program load code, trust a certificate or send its traffic somewhere else, in any
 * language runtime: never set or removed by an automated fix.
 */
export const BUILTIN_ENV_DENY: readonly string[] = [
  'LD_*',
  'DYLD_*',
  '*_PROXY',
  'GLIBC_TUNABLES',
  'GCONV_PATH',
  'MALLOC_*',
  'PATH',
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_EXTRA_CA_CERTS',
  'NODE_TLS_REJECT_UNAUTHORIZED',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'JAVA_OPTS',
  'CLASSPATH',
  'PYTHONPATH',
  'PYTHONSTARTUP',
  'PYTHONHOME',
  'PYTHONUSERBASE',
  'PYTHONINSPECT',
  'PERL5OPT',
  'PERL5LIB',
  'PERLLIB',
  'RUBYOPT',
  'RUBYLIB',
  'BASH_ENV',
  'ENV',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  'PROMPT_COMMAND',
  'IFS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'GIT_SSH*',
  'GIT_EXEC_PATH',
  'GIT_CONFIG*',
  'DOTNET_STARTUP_HOOKS',
  'CORECLR_*',
  'COR_PROFILER*',
  'GODEBUG',
];

export function checkEnv(action: Of<'setEnv'>, policy: EnvConstraints | undefined): Refusal | undefined {
  const deny = [...BUILTIN_ENV_DENY, ...(policy?.deny ?? [])];
  for (const name of Object.keys(action.env)) {
    const hit = deny.find((g) => globMatch(g.toUpperCase(), name.toUpperCase()));
    if (hit !== undefined)
      return { constraint: 'env.denied', reason: `${name} matches the deny-list entry ${hit}` };
    if (policy?.allow && !policy.allow.some((g) => globMatch(g.toUpperCase(), name.toUpperCase())))
      return { constraint: 'env.not-allowed', reason: `${name} is not in the policy's env allow-list` };
  }
  return undefined;
}

export function checkConfigValue(
  action: Of<'setConfigValue'>,
  grants: readonly ConfigValueGrant[] | undefined,
): Refusal | undefined {
  const fits = (g: ConfigValueGrant) =>
    g.namespaces.some((p) => globMatch(p, action.namespace)) &&
    g.configMaps.some((p) => globMatch(p, action.name)) &&
    g.keys.some((p) => globMatch(p, action.key)) &&
    g.paths.some(
      (p) => p.length === action.path.length && p.every((s, i) => globMatch(s, action.path[i]!)),
    ) &&
    (g.values === undefined || g.values.some((v) => v === action.value));
  if ((grants ?? []).some(fits)) return undefined;
  return {
    constraint: 'config-values.not-allowed',
    reason: `${action.namespace}/${action.name} key ${action.key} path ${action.path.join('.')} = ${JSON.stringify(action.value)} is not in the policy's configValues`,
  };
}

export function unreadable(constraint: string, facts: ConstraintFacts): Refusal {
  return {
    constraint,
    reason: `could not read ${facts.unreadable.join(', ') || 'what the check needs'}; refused`,
    unread: true,
  };
}
