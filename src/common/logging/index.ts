export {
  AccessLog,
  bindRequestContext,
  echoRequestId,
  logCall,
  type LoggedCall,
  registerAccessLog,
  requestIdFor,
} from './access-log';
export { CURRENT_LOG_LINK, ROTATED_LOG_FILE } from './log-destination';
export { LoggingModule } from './logging.module';
export { loggableError } from './loggable-error';
