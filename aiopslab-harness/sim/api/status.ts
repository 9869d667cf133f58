/** Kubernetes `Status` errors, worded and shaped as a real API server words and shapes them. */
import type { JsonObject } from './json.js';

/** What a Status needs to name a resource: a ResourceType, or a stand-in for paths that match none. */
export interface ResourceName {
  group: string;
  plural: string;
  kind: string;
}

export interface StatusCause {
  type: string;
  field: string;
  message: string;
}

/** A failed request, carrying the Status body the server sends back. */
export class ApiError extends Error {
  constructor(
    readonly status: JsonObject,
    readonly code: number,
  ) {
    super(typeof status['message'] === 'string' ? status['message'] : `HTTP ${code}`);
    this.name = 'ApiError';
  }
}

function failure(code: number, reason: string, message: string, details?: JsonObject): ApiError {
  const status: JsonObject = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
  };
  if (details) status['details'] = details;
  status['code'] = code;
  return new ApiError(status, code);
}

/** "deployments.apps" for a grouped resource, "pods" for a core one. */
function qualified(type: ResourceName): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

function details(type: ResourceName, name: string): JsonObject {
  const out: JsonObject = { name };
  if (type.group) out['group'] = type.group;
  out['kind'] = type.plural;
  return out;
}

export function notFound(type: ResourceName, name: string): ApiError {
  if (!type.plural) return failure(404, 'NotFound', 'the server could not find the requested resource', {});
  return failure(404, 'NotFound', `${qualified(type)} "${name}" not found`, details(type, name));
}

export function alreadyExists(type: ResourceName, name: string): ApiError {
  return failure(409, 'AlreadyExists', `${qualified(type)} "${name}" already exists`, details(type, name));
}

export function conflict(type: ResourceName, name: string): ApiError {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(type, name),
  );
}

/** 422 with one cause per invalid field; the message lists them as the API server does. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const texts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const list = texts.length === 1 ? texts[0]! : `[${texts.join(', ')}]`;
  const out: JsonObject = { name };
  if (group) out['group'] = group;
  out['kind'] = kind;
  out['causes'] = causes.map((c) => ({ reason: c.type, message: c.message, field: c.field }));
  return failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${list}`, out);
}

/**
 * 422 for a patch that decodes but does not apply, as kube-apiserver answers since 1.13; the message is the
 * evanphx/json-patch text (prefixed "jsonpatch") rather than the generic one, so a reader sees which
 * operation failed.
 */
export function patchDoesNotApply(message: string): ApiError {
  return failure(422, 'Invalid', message);
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export interface ForbiddenRequest {
  user: string;
  verb: string;
  resource: string;
  group: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function forbidden(req: ForbiddenRequest): ApiError {
  const target = req.group ? `${req.resource}.${req.group}` : req.resource;
  const subject = req.name ? `${target} "${req.name}"` : target;
  const resource = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  const scope = req.namespace ? `in the namespace "${req.namespace}"` : 'at the cluster scope';
  const message = `${subject} is forbidden: User "${req.user}" cannot ${req.verb} resource "${resource}" in API group "${req.group}" ${scope}`;
  const out: JsonObject = {};
  if (req.name) out['name'] = req.name;
  if (req.group) out['group'] = req.group;
  out['kind'] = req.resource;
  return failure(403, 'Forbidden', message, out);
}

/**
 * 403 from an admission plugin (admission.NewForbidden → apierrors.NewForbidden): the message is already
 * `<resource> "<name>" is forbidden: <plugin error>`.
 */
export function admissionForbidden(resource: string, name: string, message: string): ApiError {
  return failure(403, 'Forbidden', message, { name, kind: resource });
}

export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function methodNotAllowed(): ApiError {
  return failure(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
    {},
  );
}

export function unsupportedMediaType(contentType: string, accepted: readonly string[]): ApiError {
  const what = contentType
    ? `the body of the request was in an unknown format (${contentType})`
    : 'the body of the request was in an unknown format';
  return failure(
    415,
    'UnsupportedMediaType',
    `${what} - accepted media types include: ${accepted.join(', ')}`,
    {},
  );
}

/** 410 Expired: a watch asked for a resourceVersion older than the history kept. */
export function gone(message: string): ApiError {
  return failure(410, 'Expired', message);
}

/** 503 as the API server's service proxy answers when nothing serves the Service. */
export function serviceUnavailable(message: string): ApiError {
  return failure(503, 'ServiceUnavailable', message);
}

export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}
