/**
 * The `Examples:` section of every command's help, in one place. A command's own examples (added with
 * `addHelpText` where it is defined) are kept and listed first; these follow. tests/cli/help-examples.test.ts
 * fails for a command without examples or an example whose flags the command does not declare.
 */
import type { Command } from 'commander';
import type { EventEmitter } from 'node:events';

/** Keyed by command path without `aoi` ('' is the root). */
export const HELP_EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  '': [
    'aoi sim start --problem k8s_target_port-misconfig-mitigation-1',
    'aoi diagnose --sim k8s_target_port-misconfig-mitigation-1',
    'aoi diagnose -n shop --context prod-readonly --output json | jq .rootCause',
    'aoi tui --sim k8s_target_port-misconfig-mitigation-1 --policy standard',
    'aoi help diagnose',
  ],
  sim: ['aoi sim start', 'aoi sim start --problem scale_pod_zero_social_net-mitigation-1 --speed 10'],
  'sim start': [
    'aoi sim start --problem k8s_target_port-misconfig-mitigation-1 --kubeconfig ./sim.kubeconfig',
    'aoi sim start --app social-network --seed 7 --speed 10',
  ],
  diagnose: [
    'aoi diagnose --sim k8s_target_port-misconfig-localization-1 --output json > diagnosis.json',
    'aoi diagnose -n shop --reasoner ollama --model qwen2.5:14b-instruct --ollama-host http://gpu-box:11434',
  ],
  observe: [
    'aoi observe -n shop --context prod-readonly --prometheus-url http://127.0.0.1:9090',
    'aoi observe -n shop --max-evidence-tokens 8000 --output json | jq ".evidence[].signal"',
  ],
  bench: [
    'aoi bench --filter "^k8s_target_port" --attempts 3 --reasoner rules',
    'aoi bench --shard 0/4 --json shard-0.json',
  ],
  'bench merge': [
    'aoi bench merge shard-0.json shard-1.json shard-2.json shard-3.json',
    'aoi bench merge shard-*.json --json bench.json',
  ],
  policy: [
    'aoi policy check ./policies/prod.yaml',
    `aoi policy explain --policy standard --action "$(cat action.json)"`,
  ],
  'policy check': ['aoi policy check standard', 'aoi policy check ./policies/prod.yaml'],
  'policy explain': [
    `aoi policy explain --policy ./policies/prod.yaml --namespace shop --action '{"kind":"scaleDeployment","namespace":"shop","name":"web","replicas":3,"rationale":"scaled to zero","evidence":["ev-2"]}'`,
  ],
  audit: ['aoi audit verify', 'aoi audit show --output json'],
  'audit verify': ['aoi audit verify', 'aoi audit verify --file /var/lib/aoi/audit.jsonl'],
  'audit show': [
    'aoi audit show',
    `aoi audit show --file ./audit.jsonl --output json | jq '.[] | select(.decision == "deny")'`,
  ],
  act: [
    'aoi act --plan fix.yaml --dry-run --context aoi-executor',
    'aoi act --plan fix.yaml --policy standard --approve --output json',
  ],
  rollback: [
    'aoi rollback 12 --policy standard --context aoi-executor',
    'aoi rollback 12 --approve --output json',
  ],
  runs: ['aoi runs list --failed', 'aoi runs show 2026-11-24T08-15'],
  'runs list': [
    'aoi runs list',
    'aoi runs list --failed --problem "^k8s_target_port" --signal TargetPortMismatch --json',
  ],
  'runs show': ['aoi runs show 2026-11-24T08-15', 'aoi runs show 2026-11-24T08-15 --json'],
  evolve: ["aoi evolve --support 'detection' --query 'localization' --reasoner rules --json"],
  export: [
    'aoi export --format sft --out sft.jsonl',
    'aoi export --format grpo --state-dir ./bench-state > grpo.jsonl',
  ],
  config: ['aoi config show', 'aoi config show --config ./aoi.yaml --json'],
  'config show': ['aoi config show --reasoner ollama --model llama3.1:8b'],
  rbac: ['aoi rbac -n shop --service-account-namespace aoi-system | kubectl apply -f -'],
  completion: ['aoi completion bash > /etc/bash_completion.d/aoi'],
  agent: [
    'aoi agent --stdio --reasoner rules',
    'aoi agent --stdio --reasoner ollama --model qwen2.5:14b-instruct --policy bench --approve',
  ],
};

export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Commander's Command is an EventEmitter at run time; its typings leave that out. */
const events = (cmd: Command) => cmd as unknown as EventEmitter;

/** The text a command's own `addHelpText('after', …)` hooks print (commander keeps them as listeners). */
function ownAfterHelp(cmd: Command): string {
  let text = '';
  const context = { error: false, command: cmd, write: (s: string) => (text += s) };
  for (const listener of events(cmd).listeners('afterHelp'))
    (listener as (c: typeof context) => void)(context);
  return text;
}

const EXAMPLE_BLOCK = /^Examples?:\n((?: {2}.*\n?)*)/m;

/** Gives every command in the tree one `Examples:` section: its own examples first, then HELP_EXAMPLES'. */
export function applyHelpExamples(cmd: Command): void {
  const own = ownAfterHelp(cmd);
  const block = EXAMPLE_BLOCK.exec(own);
  const ownExamples = (block?.[1] ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const examples = [...new Set([...ownExamples, ...(HELP_EXAMPLES[commandPath(cmd)] ?? [])])];
  if (examples.length > 0) {
    const rest = block ? own.replace(block[0], '') : own;
    const text = `${rest.replace(/\n+$/, '')}\n\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}\n`;
    events(cmd).removeAllListeners('afterHelp');
    cmd.addHelpText('after', text.replace(/^\n+/, '\n'));
  }
  for (const sub of cmd.commands) applyHelpExamples(sub);
}
