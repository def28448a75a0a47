import type { AppConfig } from './app-config';
import { readEnvFile } from './env-file';
import { ConfigError, loadConfig } from './load-config';

/**
 * For entry points (server, CLI): reads `.env` and the environment; a bad setting ends the
 * process with one line on stderr naming it, and no stack trace.
 */
export function configFromEnvironment(): AppConfig {
  readEnvFile();
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
