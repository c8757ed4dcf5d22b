// Prometheus metrics of one server. Each server owns its registry (not prom-client's global
// one), so tests can build many servers in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** calls by route pattern and result code (the seed's code, or the HTTP status for gateway answers) */
  calls: Counter<'route' | 'code'>;
  /** wall time of whole requests */
  latency: Histogram<'route'>;
  /** recognition stages (decode, detect, rectify, recognise, parse …) */
  recognitionStage: Histogram<'stage'>;
  /** verification sources that could not answer (-> 203) */
  verificationErrors: Counter<'source' | 'reason'>;
  /** well-formed ID numbers whose county code is missing from our region table */
  unknownRegion: Counter<string>;
  /** reports the recognition worker pool's waiting jobs when scraped */
  setQueueLengthProbe(probe: () => number): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'shiming_' });
  let probe: () => number = () => 0;
  new Gauge({
    name: 'shiming_recognition_queue_length',
    help: 'Recognition jobs waiting for a worker thread',
    registers: [registry],
    collect() {
      this.set(probe());
    },
  });
  return {
    registry,
    calls: new Counter({
      name: 'shiming_calls_total',
      help: 'API calls by route and result code',
      labelNames: ['route', 'code'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'shiming_request_duration_seconds',
      help: 'Request latency by route',
      labelNames: ['route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    recognitionStage: new Histogram({
      name: 'shiming_recognition_stage_seconds',
      help: 'Time spent in each recognition stage',
      labelNames: ['stage'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    verificationErrors: new Counter({
      name: 'shiming_verification_source_errors_total',
      help: 'Verification source failures (answered 203)',
      labelNames: ['source', 'reason'] as const,
      registers: [registry],
    }),
    unknownRegion: new Counter({
      name: 'shiming_unknown_region_total',
      help: 'Valid ID numbers whose county code is not in the region table',
      registers: [registry],
    }),
    setQueueLengthProbe(p) {
      probe = p;
    },
  };
}
