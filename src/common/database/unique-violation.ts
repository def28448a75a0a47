const UNIQUE_VIOLATION = '23505';

/** True when PostgreSQL refused a write because it would break a unique index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } })
    .driverError;
  const details = driverError ?? (error as { code?: string; constraint?: string });
  return details?.code === UNIQUE_VIOLATION && (!constraint || details.constraint === constraint);
}
