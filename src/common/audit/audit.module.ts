import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditEventReader } from './audit-event.reader';
import { AuditTrail } from './audit-trail';
import { AuthEventLog } from './auth-event.log';
import { TypeOrmAuditTrail } from './typeorm-audit.trail';

/** Auth events for every module: the writer, the audit trail it keeps, and its two reads. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [
    AuthEventLog,
    TypeOrmAuditTrail,
    { provide: AuditTrail, useExisting: TypeOrmAuditTrail },
    AuditEventReader,
  ],
  exports: [AuthEventLog, AuditTrail],
})
export class AuditModule {}
