import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | undefined;

/**
 * Node's own metrics (event-loop lag, heap, GC, CPU, open handles), gathered once per process
 * however many apps it runs (the e2e tests run dozens): each gathering keeps a GC observer and
 * an event-loop monitor for the rest of the process' life.
 */
export function processMetrics(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
