/**
 * What `aoi diagnose --alert FILE|-` and `aoi diagnose KIND/NAME` start from: the trigger recorded in the
 * trajectory and the report, and the namespace it implies (an alert's `namespace` label).
 */
import { readFile } from 'node:fs/promises';
import { AoiError } from '../core/errors.js';
import type { Trigger } from '../core/trigger.js';
import type { CliIO } from './io.js';

export interface TriggerFlags {
  alert?: string;
  namespace?: string;
}

async function readInput(path: string): Promise<string> {
  if (path !== '-')
    return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new AoiError('usage', `cannot read the alert file ${path}: ${error.code ?? error.message}`, {
        hint: 'pass a file holding an Alertmanager webhook payload or one alert, or - for stdin',
      });
    });
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The trigger for this run, if any; throws a usage error on conflicting or bad input. */
export async function diagnoseTrigger(
  target: string | undefined,
  flags: TriggerFlags,
  io: CliIO,
): Promise<Trigger | undefined> {
  if (target !== undefined && flags.alert !== undefined)
    throw new AoiError('usage', 'give either a KIND/NAME target or --alert, not both');
  if (target !== undefined) {
    const [{ parseTarget }, { targetTrigger }] = await Promise.all([
      import('../alert/scope.js'),
      import('../alert/trigger.js'),
    ]);
    const focus = parseTarget(target);
    return targetTrigger({
      ...focus,
      ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    });
  }
  if (flags.alert === undefined) return undefined;
  const [{ parseAlertInput }, { alertTrigger }] = await Promise.all([
    import('../alert/alertmanager.js'),
    import('../alert/trigger.js'),
  ]);
  const source = flags.alert === '-' ? 'stdin' : flags.alert;
  const alerts = parseAlertInput(await readInput(flags.alert), source);
  const chosen = alerts.find((a) => a.alert.status === 'firing') ?? alerts[0];
  if (chosen === undefined)
    throw new AoiError('usage', `${source} holds no alert`, { hint: 'the payload`s alerts list is empty' });
  if (alerts.length > 1)
    io.stderr.write(
      `aoi: ${alerts.length} alerts in ${source}; diagnosing the first ${chosen.alert.status} one (aoi serve takes each)\n`,
    );
  if (chosen.alert.status === 'resolved')
    io.stderr.write('aoi: the alert is resolved; diagnosing the namespace as it is now\n');
  const trigger = alertTrigger(chosen);
  const labelled = trigger.focus.namespace;
  if (labelled !== undefined && flags.namespace !== undefined && labelled !== flags.namespace)
    throw new AoiError('usage', `the alert is about namespace ${labelled}, but -n says ${flags.namespace}`, {
      hint: 'drop -n: the alert names its namespace',
    });
  return trigger;
}
