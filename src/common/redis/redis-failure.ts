import { type DriverErrorLink, translateDriverError } from '../errors/dependency-failure';

/**
 * What ioredis (and a cluster in the middle of a failover) says when a command cannot reach
 * Redis: the client is fail-fast (no offline queue, one retry, a command timeout), so these
 * arrive at once instead of queueing.
 */
const UNAVAILABLE_MESSAGES = [
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /Command timed out/i,
  /Reached the max retries per request limit/i,
  /Redis connection is not ready/i,
  // A cluster: the slot's master is gone and no replica has taken over yet, or the client has
  // not learnt who did.
  /Too many Cluster redirections/i,
  /Cluster isn't ready/i,
  /Failed to refresh slots cache/i,
  /None of startup nodes is available/i,
  /No sharded subscriber for slot/i,
  /No subscriber for the cluster/i,
  /Cluster is ended/i,
  // An automatic pipeline whose commands a slot move (MOVED mid-failover) split over two nodes.
  /All keys in the pipeline should belong to the same slots allocation group/i,
  /^CLUSTERDOWN/,
  /^TRYAGAIN/,
  /^MASTERDOWN/,
];

/**
 * An ioredis error as the adapters let it out: an outage becomes `ServiceUnavailableError`
 * (503), anything else (a bug, a script error) stays as it is.
 */
export function translateRedisError(error: unknown): unknown {
  return translateDriverError(error, isRedisOutage);
}

function isRedisOutage({ message, name }: DriverErrorLink): boolean {
  if (name === 'MaxRetriesPerRequestError' || name === 'ClusterAllFailedError') return true;
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}
