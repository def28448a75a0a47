export { CURRENT_LOG_LINK, ROTATED_LOG_FILE } from './log-destination';
export { LoggingModule } from './logging.module';
export { RouteLoggingInterceptor } from './route-logging.interceptor';
export { loggableError } from './loggable-error';
export { assignRequestId } from './http-logger.options';
