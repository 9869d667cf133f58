import type { Json, JsonObject } from '../api/json.js';
import { isJsonObject } from '../api/json.js';
import type { ResourceType } from '../api/resources.js';

export interface Cause {
  type: string;
  field: string;
  message: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;
/** Kinds whose names must be DNS labels rather than subdomains. */
const LABEL_NAMED = new Set(['Namespace', 'Service']);

function goValue(value: Json | undefined): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
}

function invalid(field: string, value: Json | undefined, detail: string): Cause {
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${goValue(value)}: ${detail}` };
}

function required(field: string): Cause {
  return { type: 'FieldValueRequired', field, message: 'Required value' };
}

function validateName(type: ResourceType, name: Json | undefined): Cause[] {
  if (typeof name !== 'string' || name === '') return [required('metadata.name')];
  if (LABEL_NAMED.has(type.kind)) {
    if (name.length > 63 || !DNS_LABEL.test(name)) {
      return [
        invalid(
          'metadata.name',
          name,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ),
      ];
    }
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return [
      invalid(
        'metadata.name',
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    ];
  }
  return [];
}

function validatePort(field: string, value: Json | undefined, allowName: boolean): Cause[] {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 1 && value <= 65535
      ? []
      : [invalid(field, value, 'must be between 1 and 65535, inclusive')];
  }
  if (allowName && typeof value === 'string' && IANA_SVC_NAME.test(value) && /[a-z]/.test(value)) return [];
  return [
    invalid(
      field,
      value,
      allowName ? 'must contain at least one letter (a-z)' : 'must be between 1 and 65535, inclusive',
    ),
  ];
}

function validateContainers(spec: JsonObject, path: string): Cause[] {
  const containers = spec['containers'];
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${path}.containers`)];
  const causes: Cause[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const at = `${path}.containers[${i}]`;
    if (!isJsonObject(c)) return causes.push(invalid(at, c, 'must be an object'));
    const name = c['name'];
    if (typeof name !== 'string' || name === '') causes.push(required(`${at}.name`));
    else if (names.has(name))
      causes.push({
        type: 'FieldValueDuplicate',
        field: `${at}.name`,
        message: `Duplicate value: ${goValue(name)}`,
      });
    else if (!DNS_LABEL.test(name))
      causes.push(
        invalid(
          `${at}.name`,
          name,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        ),
      );
    if (typeof name === 'string') names.add(name);
    if (typeof c['image'] !== 'string' || c['image'].trim() === '') causes.push(required(`${at}.image`));
    const ports = c['ports'];
    if (Array.isArray(ports)) {
      ports.forEach((p, j) => {
        if (isJsonObject(p))
          causes.push(...validatePort(`${at}.ports[${j}].containerPort`, p['containerPort'], false));
      });
    }
    for (const key of ['command', 'args'] as const) {
      const list = c[key];
      if (list !== undefined && (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))) {
        causes.push(invalid(`${at}.${key}`, list, 'must be a list of strings'));
      }
    }
  });
  return causes;
}

function validateReplicas(field: string, value: Json | undefined): Cause[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return [invalid(field, value, 'must be greater than or equal to 0')];
  }
  return [];
}

function labelsMatch(selector: Json | undefined, labels: Json | undefined): boolean {
  if (!isJsonObject(selector)) return false;
  const match = selector['matchLabels'];
  const lbl = isJsonObject(labels) ? labels : {};
  if (isJsonObject(match)) for (const [k, v] of Object.entries(match)) if (lbl[k] !== v) return false;
  return true;
}

function validateWorkload(obj: JsonObject, old: JsonObject | undefined): Cause[] {
  const spec = obj['spec'];
  if (!isJsonObject(spec)) return [required('spec')];
  const causes = validateReplicas('spec.replicas', spec['replicas']);
  const selector = spec['selector'];
  if (
    !isJsonObject(selector) ||
    (!isJsonObject(selector['matchLabels']) && !Array.isArray(selector['matchExpressions']))
  ) {
    causes.push(required('spec.selector'));
  }
  const template = spec['template'];
  if (!isJsonObject(template) || !isJsonObject(template['spec'])) {
    causes.push(required('spec.template'));
    return causes;
  }
  const templateLabels = isJsonObject(template['metadata']) ? template['metadata']['labels'] : undefined;
  if (isJsonObject(selector) && !labelsMatch(selector, templateLabels)) {
    causes.push(
      invalid('spec.template.metadata.labels', templateLabels, '`selector` does not match template `labels`'),
    );
  }
  causes.push(...validateContainers(template['spec'], 'spec.template.spec'));
  if (
    old &&
    JSON.stringify((old['spec'] as JsonObject | undefined)?.['selector']) !== JSON.stringify(selector)
  ) {
    causes.push(invalid('spec.selector', selector, 'field is immutable'));
  }
  return causes;
}

function validateService(obj: JsonObject, old: JsonObject | undefined): Cause[] {
  const spec = obj['spec'];
  if (!isJsonObject(spec)) return [required('spec')];
  const causes: Cause[] = [];
  const ports = spec['ports'];
  const type = spec['type'] ?? 'ClusterIP';
  if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer' && type !== 'ExternalName') {
    causes.push({
      type: 'FieldValueNotSupported',
      field: 'spec.type',
      message: `Unsupported value: ${goValue(type)}: supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`,
    });
  }
  if (type !== 'ExternalName' && (!Array.isArray(ports) || ports.length === 0))
    causes.push(required('spec.ports'));
  if (Array.isArray(ports)) {
    ports.forEach((p, i) => {
      if (!isJsonObject(p)) return;
      causes.push(...validatePort(`spec.ports[${i}].port`, p['port'], false));
      if (p['targetPort'] !== undefined)
        causes.push(...validatePort(`spec.ports[${i}].targetPort`, p['targetPort'], true));
      if (Array.isArray(ports) && ports.length > 1 && !p['name'])
        causes.push(required(`spec.ports[${i}].name`));
    });
  }
  const oldSpec = old?.['spec'];
  if (
    isJsonObject(oldSpec) &&
    spec['clusterIP'] !== undefined &&
    oldSpec['clusterIP'] !== spec['clusterIP']
  ) {
    causes.push(invalid('spec.clusterIPs[0]', spec['clusterIP'], 'may not change once set'));
  }
  return causes;
}

const POD_MUTABLE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function validatePod(obj: JsonObject, old: JsonObject | undefined): Cause[] {
  const spec = obj['spec'];
  if (!isJsonObject(spec)) return [required('spec')];
  const causes = validateContainers(spec, 'spec');
  const oldSpec = old?.['spec'];
  if (isJsonObject(oldSpec)) {
    const strip = (s: JsonObject): string => {
      const copy = JSON.parse(JSON.stringify(s)) as JsonObject;
      for (const c of (copy['containers'] as JsonObject[] | undefined) ?? []) delete c['image'];
      for (const c of (copy['initContainers'] as JsonObject[] | undefined) ?? []) delete c['image'];
      delete copy['activeDeadlineSeconds'];
      delete copy['tolerations'];
      return JSON.stringify(copy);
    };
    if (strip(spec) !== strip(oldSpec))
      causes.push({
        type: 'FieldValueForbidden',
        field: 'spec',
        message: `Forbidden: ${POD_MUTABLE_MESSAGE}`,
      });
  }
  return causes;
}

/** Field errors for an object about to be stored (`old` set on updates), as the API server's validation finds them. */
export function validateObject(type: ResourceType, obj: JsonObject, old?: JsonObject): Cause[] {
  const meta = obj['metadata'];
  if (!isJsonObject(meta)) return [required('metadata')];
  const causes = meta['generateName'] && !meta['name'] ? [] : validateName(type, meta['name']);
  for (const key of ['labels', 'annotations'] as const) {
    const map = meta[key];
    if (map !== undefined && (!isJsonObject(map) || Object.values(map).some((v) => typeof v !== 'string'))) {
      causes.push(invalid(`metadata.${key}`, map, 'must be a map of strings'));
    }
  }
  switch (type.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
      causes.push(...validateWorkload(obj, old));
      break;
    case 'Service':
      causes.push(...validateService(obj, old));
      break;
    case 'Pod':
      causes.push(...validatePod(obj, old));
      break;
    default:
      break;
  }
  return causes;
}

export function validateScale(replicas: Json | undefined): Cause[] {
  return validateReplicas('spec.replicas', replicas);
}
