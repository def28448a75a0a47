export { AuditModule } from './audit.module';
export {
  type AuditDetail,
  type AuditEvent,
  type AuditFilter,
  type AuditPage,
  AuditTrail,
} from './audit-trail';
export {
  AUDITED_EVENTS,
  type AuditedEvent,
  type AuthEventEntry,
  type AuthEventFields,
  AuthEventLog,
  isAuditedEvent,
} from './auth-event.log';
