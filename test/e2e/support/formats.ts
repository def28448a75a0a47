/**
 * The forms of ids and times in answers, for `toMatch` and `expect.stringMatching`. API.md says
 * ids are UUIDs and timestamps ISO 8601 strings in UTC; each suite pins as much of the form as
 * it means to, so the patterns differ in strictness on purpose.
 */

/** A UUID of any version, in either case. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID of any version, in lower case, as the service writes the ids it makes. */
export const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A random (version 4, RFC 4122 variant) UUID in lower case, as `crypto.randomUUID()` makes. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** An ISO 8601 time in UTC, in whole seconds or with up to three decimals. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** An ISO 8601 time in UTC with exactly three decimals, as `Date.toISOString()` writes it. */
export const ISO_UTC_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** An ISO 8601 time in UTC with up to six decimals: PostgreSQL keeps microseconds. */
export const ISO_UTC_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
