export { AuthModule } from './auth.module';
export { AuthService } from './application/auth.service';
export { PruneService, type PruneOutcome } from './application/prune.service';
