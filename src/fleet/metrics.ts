import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestRecord } from '../runtime';
import type { ExecutorHooks } from './clients';
import type { SlotRecord } from './slot';

/**
 * A fleet process's Prometheus metrics (prom-client). Labels are bounded sets (template, step,
 * exit, fault, error code, operation), never an account id: a fleet of 10,000 accounts would make
 * 10,000 series per metric. Per-account detail is what `five9 fleet status` is for. No label or
 * value ever holds a secret.
 */
export class FleetMetrics {
  readonly registry = new Registry();
  readonly runs = new Counter({ name: 'five9_fleet_runs_total', help: 'Schedule slots run, by template and outcome (ok, error, interrupted).', labelNames: ['template', 'outcome'] as const, registers: [this.registry] });
  readonly exits = new Counter({ name: 'five9_fleet_exits_total', help: 'Exits steps left by, by template, step and exit.', labelNames: ['template', 'step', 'exit'] as const, registers: [this.registry] });
  readonly errors = new Counter({ name: 'five9_fleet_errors_total', help: 'Failed runs by error code (FIVE9_AUTH, FIVE9_TRANSPORT, FIVE9_FAULT, …).', labelNames: ['code'] as const, registers: [this.registry] });
  readonly faults = new Counter({ name: 'five9_fleet_faults_total', help: 'Five9 faults that failed a run, by fault name.', labelNames: ['fault'] as const, registers: [this.registry] });
  readonly quotaWaits = new Counter({ name: 'five9_fleet_quota_waits_total', help: 'Calls that waited for a Five9 quota window to open, by quota class.', labelNames: ['quota_class'] as const, registers: [this.registry] });
  readonly quotaWaitSeconds = new Counter({ name: 'five9_fleet_quota_wait_seconds_total', help: 'Real seconds spent waiting for quota windows, by quota class.', labelNames: ['quota_class'] as const, registers: [this.registry] });
  readonly requestSeconds = new Histogram({
    name: 'five9_fleet_request_duration_seconds',
    help: "Duration of each SOAP request, the wait for the credential's one-request slot included, by operation and outcome (success, fault, quota, error).",
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly slotWaitSeconds = new Histogram({
    name: 'five9_fleet_slot_wait_seconds',
    help: "Real seconds a request waited for its credential's one-request slot (held by another request of the same user, in any process).",
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });
  readonly lateness = new Histogram({
    name: 'five9_fleet_run_lateness_seconds',
    help: 'Real seconds between a slot falling due and its run starting.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly runSeconds = new Histogram({ name: 'five9_fleet_run_duration_seconds', help: 'Real seconds a run took.', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [this.registry] });
  readonly active = new Gauge({ name: 'five9_fleet_runs_in_progress', help: 'Runs in progress in this process.', registers: [this.registry] });
  readonly duplicates = new Counter({ name: 'five9_fleet_duplicate_deliveries_total', help: 'Slots BullMQ delivered again after another worker had run them (not run twice).', registers: [this.registry] });
  readonly accounts = new Gauge({ name: 'five9_fleet_accounts', help: 'Accounts (enabled) this process schedules or serves.', registers: [this.registry] });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'five9_fleet_' });
  }

  /** The clients' request observer: latency by operation, and waits for the credential's slot. */
  onRequest = (r: RequestRecord): void => {
    this.requestSeconds.observe({ operation: r.operation, outcome: r.outcome }, r.durationMs / 1000);
    if (r.waitedForSlot) this.slotWaitSeconds.observe(r.slotWaitMs / 1000);
  };

  /** Hooks for the fleet's executor: quota waits. */
  hooks(): ExecutorHooks {
    return {
      onQuotaWait: (quotaClass, ms) => {
        this.quotaWaits.inc({ quota_class: quotaClass });
        this.quotaWaitSeconds.inc({ quota_class: quotaClass }, ms / 1000);
      },
    };
  }

  record(r: SlotRecord): void {
    this.runs.inc({ template: r.template, outcome: r.outcome });
    for (const e of r.exits) {
      const i = e.lastIndexOf(':');
      this.exits.inc({ template: r.template, step: e.slice(0, i), exit: e.slice(i + 1) });
    }
    if (r.error) {
      this.errors.inc({ code: r.error.code });
      if (r.error.fault) this.faults.inc({ fault: r.error.fault });
    }
    this.lateness.observe(r.lateMs / 1000);
    this.runSeconds.observe((r.endedAt - r.startedAt) / 1000);
  }
}

/** Serves GET /metrics on 127.0.0.1 (or the host given); resolves to the bound URL. */
export async function serveMetrics(metrics: FleetMetrics, port: number, host = '127.0.0.1'): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metrics.registry
      .metrics()
      .then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text))
      .catch((e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${e.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return { url: `http://${host}:${a.port}/metrics`, server };
}
