import { existsSync } from 'node:fs';
import { config as parseDotenv } from 'dotenv';

/** Reads `.env` into `process.env` when the file exists; real environment variables win. */
export function readEnvFile(path = '.env'): void {
  if (existsSync(path)) parseDotenv({ path, quiet: true });
}
