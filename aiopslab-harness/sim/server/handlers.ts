import type { Json, JsonObject } from '../api/json.js';
import { cloneJson, isJsonObject, text } from '../api/json.js';
import type { ResourceType } from '../api/resources.js';
import { apiVersionOf, resourceByKind } from '../api/resources.js';
import { admitPodCreate } from '../admission/index.js';
import { ApiError, admissionForbidden, badRequest, invalid, notFound } from '../api/status.js';
import { applyPatch } from '../api/patch.js';
import {
  fieldSelectorFields,
  getFieldValue,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../api/selectors.js';
import type { SimCluster } from '../cluster.js';
import type { Pod } from '../model.js';
import { asView } from '../model.js';
import { metaOf } from '../store.js';
import type { Identity } from './auth.js';
import { redactsSecretData } from './auth.js';
import { applyCreateDefaults } from './defaults.js';
import { validateObject, validateScale } from './validation.js';

export interface ResourceRequest {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  identity: Identity;
}

export interface Reply {
  status: number;
  body: JsonObject | string;
}

const NAMESPACES = resourceByKind('Namespace');
const PODS = resourceByKind('Pod');
/** Kinds whose /status subresource carries status, so that writes to the main resource keep it. */
const HAS_STATUS = new Set([
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'Pod',
  'Service',
  'Namespace',
  'Node',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'ResourceQuota',
  'HorizontalPodAutoscaler',
  'Job',
  'CronJob',
]);

function dryRunOf(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values)
    if (v !== 'All')
      throw badRequest(`Invalid dryRun parameter: ${JSON.stringify(v)}: supported values: "All"`);
  return values.length > 0;
}

function parseBody(text: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(error as Error).message}`);
  }
  if (!isJsonObject(parsed)) throw badRequest('the body of the request must be a JSON object');
  return parsed;
}

/** The verbs of the Kubernetes REST API over the simulated cluster's store. */
export class ResourceHandlers {
  constructor(private readonly cluster: SimCluster) {}

  private get store() {
    return this.cluster.store;
  }

  private present(req: ResourceRequest, obj: JsonObject): JsonObject {
    if (req.type.kind === 'Secret' && redactsSecretData(req.identity, obj['type'])) {
      const copy = cloneJson(obj);
      delete copy['data'];
      delete copy['stringData'];
      return copy;
    }
    return obj;
  }

  private requireNamespace(namespace: string | undefined): void {
    if (namespace !== undefined && !this.store.peek(NAMESPACES, undefined, namespace))
      throw notFound(NAMESPACES, namespace);
  }

  get(req: ResourceRequest): JsonObject {
    const obj = this.store.get(req.type, req.namespace, req.name!);
    if (!obj) throw notFound(req.type, req.name!);
    return this.present(req, obj);
  }

  /** Filtered, sorted and paged objects plus the list's resourceVersion. */
  select(req: ResourceRequest): { items: JsonObject[]; continueToken?: string; remaining?: number } {
    const labelText = req.query.get('labelSelector') ?? '';
    const fieldText = req.query.get('fieldSelector') ?? '';
    const labels = parseLabelSelector(labelText);
    const fields = parseFieldSelector(fieldText, fieldSelectorFields(req.type.plural));
    const all = this.store
      .peekAll(req.type, req.namespace)
      .filter(
        (o) =>
          matchesLabels(labels, metaOf(o).labels) && matchesFields(fields, (path) => getFieldValue(o, path)),
      );
    const key = (o: JsonObject) => `${metaOf(o).namespace ?? ''}/${metaOf(o).name}`;
    all.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    let start = 0;
    const token = req.query.get('continue');
    if (token) {
      let after: string;
      try {
        after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after: string }).after;
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      start = all.findIndex((o) => key(o) > after);
      if (start < 0) start = all.length;
    }
    const limit = Number(req.query.get('limit') ?? 0);
    const end = limit > 0 ? Math.min(all.length, start + limit) : all.length;
    const items = all.slice(start, end).map((o) => this.present(req, cloneJson(o)));
    if (end < all.length) {
      const continueToken = Buffer.from(JSON.stringify({ after: key(all[end - 1]!) })).toString('base64url');
      return { items, continueToken, remaining: all.length - end };
    }
    return { items };
  }

  list(req: ResourceRequest): JsonObject {
    const { items, continueToken, remaining } = this.select(req);
    const metadata: JsonObject = { resourceVersion: this.store.resourceVersion() };
    if (continueToken) {
      metadata['continue'] = continueToken;
      metadata['remainingItemCount'] = remaining ?? 0;
    }
    for (const item of items) {
      delete item['apiVersion'];
      delete item['kind'];
    }
    return { kind: req.type.listKind, apiVersion: apiVersionOf(req.type), metadata, items };
  }

  create(req: ResourceRequest, bodyText: string): Reply {
    const dryRun = dryRunOf(req.query);
    const body = parseBody(bodyText);
    const meta = isJsonObject(body['metadata']) ? body['metadata'] : {};
    body['metadata'] = meta;
    if (req.type.namespaced) {
      if (meta['namespace'] !== undefined && meta['namespace'] !== req.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta['namespace'] = req.namespace ?? 'default';
      this.requireNamespace(String(meta['namespace']));
    }
    if (body['kind'] !== undefined && body['kind'] !== req.type.kind) {
      throw badRequest(
        `the API version in the data (${text(body['apiVersion'])}) does not match the expected API version (${apiVersionOf(req.type)})`,
      );
    }
    for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'generation'])
      delete meta[key];
    this.check(req.type, body);
    applyCreateDefaults(req.type, body, () => this.cluster.allocateServiceIP());
    if (req.type.kind === 'Pod') this.admitPod(body, dryRun);
    const created = this.store.create(req.type, body, { dryRun });
    if (!dryRun) this.cluster.reconcile();
    return { status: 201, body: this.present(req, created) };
  }

  /** LimitRanger and ResourceQuota (sim/admission), after the name is generated, as a real API server runs them. */
  private admitPod(body: JsonObject, dryRun: boolean): void {
    const meta = body['metadata'] as JsonObject;
    if (!meta['name'] && typeof meta['generateName'] === 'string')
      meta['name'] = `${meta['generateName']}${this.cluster.random.suffix()}`;
    const refused = admitPodCreate(this.store, text(meta['namespace']), asView<Pod>(body), dryRun);
    if (refused) throw admissionForbidden('pods', text(meta['name']), refused.message);
  }

  update(req: ResourceRequest, bodyText: string): JsonObject {
    const dryRun = dryRunOf(req.query);
    const body = parseBody(bodyText);
    if (req.subresource === 'scale') return this.writeScale(req, body, dryRun);
    const meta = isJsonObject(body['metadata']) ? body['metadata'] : {};
    if (meta['name'] !== undefined && meta['name'] !== req.name) {
      throw badRequest(
        `the name of the object (${text(meta['name'])}) does not match the name on the URL (${req.name})`,
      );
    }
    const expectedVersion =
      typeof meta['resourceVersion'] === 'string' && meta['resourceVersion'] !== ''
        ? meta['resourceVersion']
        : undefined;
    return this.write(req, body, dryRun, expectedVersion);
  }

  patch(req: ResourceRequest, bodyText: string, contentType: string): JsonObject {
    const dryRun = dryRunOf(req.query);
    const current = this.store.get(req.type, req.namespace, req.name!);
    if (!current) throw notFound(req.type, req.name!);
    if (req.subresource === 'scale') {
      const patched = applyPatch(this.scaleOf(current), bodyText, contentType, { kind: 'Scale' });
      return this.writeScale(req, patched, dryRun);
    }
    const patched = applyPatch(current, bodyText, contentType, { kind: req.type.kind });
    const meta = isJsonObject(patched['metadata']) ? patched['metadata'] : {};
    const expectedVersion =
      typeof meta['resourceVersion'] === 'string' &&
      meta['resourceVersion'] !== metaOf(current).resourceVersion
        ? meta['resourceVersion']
        : undefined;
    if (meta['name'] !== req.name)
      throw badRequest('metadata.name: the name of an object cannot be changed by a patch');
    return this.write(req, patched, dryRun, expectedVersion);
  }

  /** Update and patch end here: the subresource decides which part of the object may change. */
  private write(
    req: ResourceRequest,
    next: JsonObject,
    dryRun: boolean,
    expectedVersion?: string,
  ): JsonObject {
    const current = this.store.get(req.type, req.namespace, req.name!);
    if (!current) throw notFound(req.type, req.name!);
    let merged: JsonObject;
    if (req.subresource === 'status') {
      merged = cloneJson(current);
      merged['status'] = next['status'] ?? {};
    } else {
      merged = cloneJson(next);
      merged['metadata'] = {
        ...(isJsonObject(next['metadata']) ? next['metadata'] : {}),
        name: req.name!,
        ...(req.type.namespaced ? { namespace: req.namespace! } : {}),
      };
      if (HAS_STATUS.has(req.type.kind)) merged['status'] = current['status'] ?? {};
      this.check(req.type, merged, current);
    }
    const updateOptions: { expectedVersion?: string; dryRun?: boolean } = { dryRun };
    if (expectedVersion) updateOptions.expectedVersion = expectedVersion;
    const stored = this.store.replace(req.type, merged, updateOptions);
    if (!dryRun) this.cluster.reconcile();
    return this.present(req, stored);
  }

  private check(type: ResourceType, obj: JsonObject, old?: JsonObject): void {
    const causes = validateObject(type, obj, old);
    if (causes.length > 0) {
      const name = isJsonObject(obj['metadata']) ? text(obj['metadata']['name']) : '';
      throw invalid(type.kind, type.group, name, causes);
    }
  }

  scaleOf(obj: JsonObject): JsonObject {
    const meta = metaOf(obj);
    const spec = obj['spec'] as JsonObject;
    const status = (obj['status'] as JsonObject | undefined) ?? {};
    const matchLabels =
      ((spec['selector'] as JsonObject | undefined)?.['matchLabels'] as Record<string, string> | undefined) ??
      {};
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: meta.name,
        namespace: meta.namespace ?? '',
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
        creationTimestamp: meta.creationTimestamp,
      },
      spec: { replicas: (spec['replicas'] as number | undefined) ?? 1 },
      status: {
        replicas: (status['replicas'] as number | undefined) ?? 0,
        selector: Object.entries(matchLabels)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      },
    };
  }

  getScale(req: ResourceRequest): JsonObject {
    const obj = this.store.get(req.type, req.namespace, req.name!);
    if (!obj) throw notFound(req.type, req.name!);
    return this.scaleOf(obj);
  }

  private writeScale(req: ResourceRequest, scale: JsonObject, dryRun: boolean): JsonObject {
    const current = this.store.get(req.type, req.namespace, req.name!);
    if (!current) throw notFound(req.type, req.name!);
    const replicas: Json | undefined = isJsonObject(scale['spec']) ? scale['spec']['replicas'] : undefined;
    const causes = validateScale(replicas);
    if (causes.length) throw invalid('Scale', 'autoscaling', req.name!, causes);
    const meta = isJsonObject(scale['metadata']) ? scale['metadata'] : {};
    const expected =
      typeof meta['resourceVersion'] === 'string' && meta['resourceVersion'] !== ''
        ? meta['resourceVersion']
        : undefined;
    const next = cloneJson(current);
    (next['spec'] as JsonObject)['replicas'] = replicas ?? 1;
    const options: { expectedVersion?: string; dryRun?: boolean } = { dryRun };
    if (expected) options.expectedVersion = expected;
    const stored = this.store.replace(req.type, next, options);
    if (!dryRun) this.cluster.reconcile();
    return this.scaleOf(stored);
  }

  delete(req: ResourceRequest, bodyText: string): JsonObject {
    const dryRun = dryRunOf(req.query);
    const options = bodyText.trim() ? parseBody(bodyText) : {};
    const current = this.store.get(req.type, req.namespace, req.name!);
    if (!current) throw notFound(req.type, req.name!);
    const graceText = req.query.get('gracePeriodSeconds');
    const grace =
      graceText !== null
        ? Number(graceText)
        : typeof options['gracePeriodSeconds'] === 'number'
          ? options['gracePeriodSeconds']
          : undefined;
    const propagation =
      req.query.get('propagationPolicy') ??
      (typeof options['propagationPolicy'] === 'string' ? options['propagationPolicy'] : 'Background');
    if (!['Background', 'Foreground', 'Orphan'].includes(propagation)) {
      throw badRequest(
        `propagationPolicy: Unsupported value: ${JSON.stringify(propagation)}: supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    const meta = metaOf(current);
    if (dryRun) return req.type.kind === 'Pod' ? current : successStatus(req.type, meta.name, meta.uid);
    if (propagation === 'Orphan') {
      for (const dependent of this.store.peekOwnedBy(meta.uid)) {
        const type = resourceByKind(text(dependent['kind']));
        const depMeta = metaOf(dependent);
        this.store.mutate(type, depMeta.namespace, depMeta.name, (o) => {
          delete (o['metadata'] as JsonObject)['ownerReferences'];
        });
      }
    }
    if (req.type.kind === 'Pod') {
      const result = this.cluster.controllers.kubelet.requestDeletion(current, grace);
      this.cluster.reconcile();
      return cloneJson(result);
    }
    if (req.type.kind === 'Namespace') {
      const updated = this.store.mutate(req.type, undefined, meta.name, (o) => {
        (o['metadata'] as JsonObject)['deletionTimestamp'] = this.cluster.clock.iso();
        o['status'] = { phase: 'Terminating' };
      });
      this.cluster.reconcile();
      return updated ?? current;
    }
    this.store.remove(req.type, req.namespace, meta.name);
    this.cluster.reconcile();
    return successStatus(req.type, meta.name, meta.uid);
  }

  deleteCollection(req: ResourceRequest, bodyText: string): JsonObject {
    const { items } = this.select(req);
    for (const item of items) {
      const meta = metaOf(item);
      const one: ResourceRequest = { ...req, name: meta.name };
      if (meta.namespace !== undefined) one.namespace = meta.namespace;
      this.delete(one, bodyText);
    }
    return this.list(req);
  }

  log(req: ResourceRequest): string {
    const obj = this.store.peek(PODS, req.namespace, req.name!);
    if (!obj) throw notFound(PODS, req.name!);
    const pod = asView<Pod>(obj);
    const names = pod.spec.containers.map((c) => c.name);
    let container = req.query.get('container') ?? undefined;
    if (!container) {
      if (names.length !== 1)
        throw badRequest(
          `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`,
        );
      container = names[0]!;
    }
    if (!names.includes(container))
      throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
    const previous = ['true', '1'].includes(req.query.get('previous') ?? '');
    const logs = this.cluster.logs;
    const instance = previous
      ? logs.previous(pod.metadata.uid, container)
      : logs.current(pod.metadata.uid, container);
    if (!instance) {
      if (previous)
        throw badRequest(
          `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`,
        );
      const waiting =
        pod.status.containerStatuses?.find((s) => s.name === container)?.state.waiting?.reason ??
        'ContainerCreating';
      throw badRequest(
        `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${waiting}`,
      );
    }
    const num = (key: string): number | undefined => {
      const v = req.query.get(key);
      if (v === null) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0)
        throw invalid('PodLogOptions', '', '', [
          {
            type: 'FieldValueInvalid',
            field: key,
            message: `Invalid value: ${v}: must be greater than or equal to 0`,
          },
        ]);
      return n;
    };
    const query: { tailLines?: number; sinceSeconds?: number; limitBytes?: number; timestamps?: boolean } = {
      timestamps: ['true', '1'].includes(req.query.get('timestamps') ?? ''),
    };
    const tail = num('tailLines');
    const since = num('sinceSeconds');
    const limit = num('limitBytes');
    if (tail !== undefined) query.tailLines = tail;
    if (since !== undefined) query.sinceSeconds = since;
    if (limit !== undefined) query.limitBytes = limit;
    const port = String(
      pod.spec.containers.find((c) => c.name === container)?.ports?.[0]?.containerPort ?? '',
    );
    return logs.render(instance, this.cluster.clock.now(), query, (text, at) =>
      text
        .replaceAll('{pod}', pod.metadata.name)
        .replaceAll('{namespace}', pod.metadata.namespace ?? '')
        .replaceAll('{port}', port)
        .replaceAll('{time}', new Date(at).toISOString()),
    );
  }
}

function successStatus(type: ResourceType, name: string, uid: string): JsonObject {
  const details: JsonObject = { name, kind: type.plural, uid };
  if (type.group) details['group'] = type.group;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
