const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else names nothing, and is answered like an unknown id. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * The id a path names, in the lower case the service stores and keys by (UUIDs are read in any
 * case), or null when it is no UUID. Every `:id` goes through here, so `…/ABC…` and `…/abc…` are
 * one and the same thing, in PostgreSQL and in every Redis key alike.
 */
export function canonicalUuid(value: unknown): string | null {
  return isUuid(value) ? value.toLowerCase() : null;
}
