/**
 * What `aoi serve` exposes on /metrics, in Prometheus' text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): counters end in _total, the histogram
 * has cumulative _bucket{le} series with +Inf, _sum and _count.
 */
const DURATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

export class ServeMetrics {
  alertsReceived = 0;
  alertsDeduplicated = 0;
  alertsRejected = 0;
  alertsResolved = 0;
  readonly diagnoses = new Map<string, number>();
  diagnosisErrors = 0;
  readonly notifications = new Map<string, number>();
  readonly #buckets = DURATION_BUCKETS.map(() => 0);
  #durationSum = 0;
  #durationCount = 0;

  diagnosed(verdict: string, seconds: number): void {
    this.diagnoses.set(verdict, (this.diagnoses.get(verdict) ?? 0) + 1);
    this.observeDuration(seconds);
  }

  observeDuration(seconds: number): void {
    DURATION_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.#buckets[i]!++;
    });
    this.#durationSum += seconds;
    this.#durationCount++;
  }

  notified(ok: boolean): void {
    const outcome = ok ? 'ok' : 'failed';
    this.notifications.set(outcome, (this.notifications.get(outcome) ?? 0) + 1);
  }

  render(gauges: { queueDepth: number; inFlight: number; notifyQueueDepth: number }): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric('aoi_alerts_received_total', 'counter', 'Alerts received on /alertmanager.', [
      ['', this.alertsReceived],
    ]);
    metric('aoi_alerts_deduplicated_total', 'counter', 'Alerts dropped as duplicates within the window.', [
      ['', this.alertsDeduplicated],
    ]);
    metric('aoi_alerts_rejected_total', 'counter', 'Alerts answered 503 because the queue was full.', [
      ['', this.alertsRejected],
    ]);
    metric('aoi_alerts_resolved_total', 'counter', 'Resolved alerts received (not diagnosed).', [
      ['', this.alertsResolved],
    ]);
    metric(
      'aoi_diagnoses_total',
      'counter',
      'Diagnoses finished, by verdict.',
      [...this.diagnoses].map(([verdict, n]) => [`{verdict="${verdict}"}`, n]),
    );
    metric('aoi_diagnosis_errors_total', 'counter', 'Diagnoses that failed.', [['', this.diagnosisErrors]]);
    metric(
      'aoi_notifications_total',
      'counter',
      'Chat notifications, by outcome (after retries).',
      [...this.notifications].map(([outcome, n]) => [`{outcome="${outcome}"}`, n]),
    );
    metric('aoi_queue_depth', 'gauge', 'Alerts waiting for a diagnosis slot.', [['', gauges.queueDepth]]);
    metric('aoi_diagnoses_in_flight', 'gauge', 'Diagnoses running now.', [['', gauges.inFlight]]);
    metric('aoi_notify_queue_depth', 'gauge', 'Notifications waiting to be sent.', [
      ['', gauges.notifyQueueDepth],
    ]);
    lines.push(
      '# HELP aoi_time_to_answer_seconds From receiving an alert to its diagnosis (queue wait included).',
      '# TYPE aoi_time_to_answer_seconds histogram',
    );
    DURATION_BUCKETS.forEach((le, i) =>
      lines.push(`aoi_time_to_answer_seconds_bucket{le="${le}"} ${this.#buckets[i]}`),
    );
    lines.push(
      `aoi_time_to_answer_seconds_bucket{le="+Inf"} ${this.#durationCount}`,
      `aoi_time_to_answer_seconds_sum ${this.#durationSum}`,
      `aoi_time_to_answer_seconds_count ${this.#durationCount}`,
    );
    return `${lines.join('\n')}\n`;
  }
}
