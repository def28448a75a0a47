export { AppConfig, type AppSettings, type LogLevel, type NodeEnv } from './app-config';
export { ConfigModule } from './config.module';
export { ConfigError, loadConfig, MIN_JWT_SECRET_LENGTH, redisDbIndex } from './load-config';
export { readEnvFile } from './env-file';
export { configFromEnvironment } from './config-from-environment';
