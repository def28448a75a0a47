export { AuditModule } from './audit.module';
export { type AuthEventEntry, type AuthEventFields, AuthEventLog } from './auth-event.log';
