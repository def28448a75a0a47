export { LOG_FILE_NAME } from './log-destination';
export { LoggingModule } from './logging.module';
export { RouteLoggingInterceptor } from './route-logging.interceptor';
export { loggableError } from './loggable-error';
