import { Global, Module } from '@nestjs/common';
import { AuthEventLog } from './auth-event.log';

@Global()
@Module({
  providers: [AuthEventLog],
  exports: [AuthEventLog],
})
export class AuditModule {}
