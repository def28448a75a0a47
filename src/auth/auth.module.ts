import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '../common/config';
import { RolesGuard } from '../common/http';
import { UsersModule } from '../users';
import { AccessCheckService } from './application/access-check.service';
import { AuthService } from './application/auth.service';
import { LoginThrottle } from './application/login-throttle';
import { MfaService } from './application/mfa.service';
import { SessionRevoker } from './application/session-revoker';
import { PruneService } from './application/prune.service';
import { AuthStateCache } from './domain/auth-state.cache';
import { MfaChallengeStore } from './domain/mfa-challenge.store';
import { MfaFactorRepository } from './domain/mfa-factor.repository';
import { SecretCipher } from './domain/secret-cipher';
import { SessionRepository } from './domain/session.repository';
import { TokenBlacklist } from './domain/token-blacklist';
import { TokenCodec } from './domain/tokens';
import { AccountController } from './http/account.controller';
import { AccountEmailController } from './http/account-email.controller';
import { AuthController } from './http/auth.controller';
import { AuthIpLimitGuard } from './http/auth-ip-limit.guard';
import { JwtAuthGuard } from './http/jwt-auth.guard';
import { JwtStrategy } from './http/jwt.strategy';
import { LocalAuthGuard } from './http/local-auth.guard';
import { LocalStrategy } from './http/local.strategy';
import { MfaController } from './http/mfa.controller';
import { NoStoreMiddleware } from './http/no-store.middleware';
import { RequestAuthenticator } from './http/request-authenticator';
import { AesGcmSecretCipher } from './infrastructure/aes-gcm-secret.cipher';
import { jwtOptions, JwtTokenCodec } from './infrastructure/jwt-token.codec';
import { PruneScheduler } from './infrastructure/prune.scheduler';
import { RedisAuthStateCache } from './infrastructure/redis-auth-state.cache';
import { RedisMfaChallengeStore } from './infrastructure/redis-mfa-challenge.store';
import { TypeOrmMfaFactorRepository } from './infrastructure/typeorm-mfa-factor.repository';
import { TypeOrmSessionRepository } from './infrastructure/typeorm-session.repository';
import { TypeOrmTokenBlacklist } from './infrastructure/typeorm-token.blacklist';

@Module({
  imports: [
    UsersModule,
    PassportModule,
    JwtModule.registerAsync({ inject: [AppConfig], useFactory: jwtOptions }),
  ],
  controllers: [AuthController, AccountController, AccountEmailController, MfaController],
  providers: [
    AuthService,
    MfaService,
    LoginThrottle,
    SessionRevoker,
    AccessCheckService,
    PruneService,
    PruneScheduler,
    JwtStrategy,
    LocalStrategy,
    LocalAuthGuard,
    AuthIpLimitGuard,
    RequestAuthenticator,
    { provide: SessionRepository, useClass: TypeOrmSessionRepository },
    { provide: TokenBlacklist, useClass: TypeOrmTokenBlacklist },
    { provide: AuthStateCache, useClass: RedisAuthStateCache },
    { provide: MfaFactorRepository, useClass: TypeOrmMfaFactorRepository },
    { provide: MfaChallengeStore, useClass: RedisMfaChallengeStore },
    { provide: SecretCipher, useClass: AesGcmSecretCipher },
    JwtTokenCodec,
    // The JWT strategy reads access claims through the codec itself.
    { provide: TokenCodec, useExisting: JwtTokenCodec },
    // Global guards run in this order: authenticate, then check roles.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AuthService, MfaService, PruneService, RequestAuthenticator],
})
export class AuthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(NoStoreMiddleware)
      .forRoutes(AuthController, AccountController, AccountEmailController, MfaController);
  }
}
