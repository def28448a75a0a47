import { Client } from 'pg';

const INVALID_CATALOG_NAME = '3D000';
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

/**
 * Creates the database named in the URL when it does not exist yet, so a fresh PostgreSQL needs
 * no manual step. Only then does it connect to the server's `postgres` database (which managed
 * services may not open to the application) to create it.
 */
export async function ensureDatabaseExists(
  databaseUrl: string,
  connectTimeoutMs: number,
): Promise<void> {
  const target = new Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: connectTimeoutMs,
  });
  try {
    await target.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== INVALID_CATALOG_NAME) throw error;
  } finally {
    await target.end().catch(() => undefined);
  }

  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const server = new Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: connectTimeoutMs,
  });
  await server.connect();
  try {
    await server.query(`CREATE DATABASE ${server.escapeIdentifier(name)}`);
  } catch (error) {
    // Another instance created it at the same moment.
    const code = (error as { code?: string }).code;
    if (code !== DUPLICATE_DATABASE && code !== UNIQUE_VIOLATION) throw error;
  } finally {
    await server.end();
  }
}
