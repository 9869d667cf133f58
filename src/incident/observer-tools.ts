/** The reasoner's read-only tools, served by the observer's probes with the observer's credential. */
import type { MetricsSource } from '../observer/analyzers/telemetry.js';
import type { ClusterReader } from '../observer/cluster-reader.js';
import { probeDescribe, probeEvents, probeMetrics, probePodLogs } from '../observer/probes.js';
import type { EvidenceTools } from '../reasoner/reasoner.js';

export function observerTools(reader: ClusterReader, metrics?: MetricsSource): EvidenceTools {
  return {
    fetchMore(request) {
      switch (request.tool) {
        case 'get_pod_logs':
          return probePodLogs(
            reader,
            request.args.namespace,
            request.args.pod,
            request.args.previous ?? false,
          );
        case 'get_events':
          return probeEvents(reader, request.args.namespace, request.args.object);
        case 'describe':
          return probeDescribe(reader, request.args.kind, request.args.namespace, request.args.name);
        case 'query_metrics':
          return probeMetrics(metrics, request.args.promql);
      }
    },
  };
}
