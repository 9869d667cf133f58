/**
 * Server-side printing: the `meta.k8s.io/v1` Table a kube-apiserver returns when a client such as
 * `kubectl get` asks for one in its Accept header. Columns and cells per resource live in table-columns.ts.
 */
import type { Json, JsonObject } from './json.js';
import { DEFAULT_PRINTER, PRINTERS } from './table-columns.js';

export type {
  Cell,
  ColumnDefinition,
  PodSummary,
  PrintedPod,
  PrintedSelector,
  PrintedServicePort,
  PrintedSubset,
  Printer,
} from './table-columns.js';
export {
  containerCells,
  formatAccessModes,
  formatEndpoints,
  formatLabels,
  formatSelector,
  formatServicePorts,
  humanDuration,
  podSummary,
  since,
} from './table-columns.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** Simulated time, ms since the epoch: ages are measured from it. */
  now: number;
  includeObject: IncludeObject;
  resourceVersion: string;
}

/** Whether an Accept header asks for a Table (`application/json;as=Table;v=v1|v1beta1;g=meta.k8s.io`). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((mediaType) => {
    const [type, ...parameters] = mediaType.split(';').map((part) => part.trim());
    if (type?.toLowerCase() !== 'application/json') return false;
    const params = new Map(
      parameters.map((p) => {
        const eq = p.indexOf('=');
        return eq < 0 ? [p.toLowerCase(), ''] : [p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim()];
      }),
    );
    return (
      params.get('as') === 'Table' &&
      params.get('g') === 'meta.k8s.io' &&
      ['v1', 'v1beta1'].includes(params.get('v') ?? '')
    );
  });
}

function rowObject(obj: JsonObject, includeObject: IncludeObject): JsonObject | undefined {
  switch (includeObject) {
    case 'None':
      return undefined;
    case 'Object':
      return obj;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj['metadata'] ?? {} };
  }
}

/** The Table for a list of objects of one resource (given by its plural), as kube-apiserver 1.30 prints it. */
export function toTable(plural: string, objects: JsonObject[], options: TableOptions): JsonObject {
  const printer = PRINTERS[plural] ?? DEFAULT_PRINTER;
  const rows = objects.map((obj): JsonObject => {
    const row: JsonObject = { cells: printer.cells(obj, options.now) };
    const conditions = printer.conditions?.(obj) ?? [];
    if (conditions.length) row['conditions'] = conditions;
    const object = rowObject(obj, options.includeObject);
    if (object) row['object'] = object;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: options.resourceVersion },
    columnDefinitions: printer.columns.map((c): Json => ({ ...c })),
    rows,
  };
}
