import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../../common/config/app-config';
import { clientIp } from '../../common/http/client-ip';
import { RateLimiter, RateLimiterFactory } from '../../common/rate-limit/rate-limiter';

/** AUTH_IP_LIMIT requests a minute per client IP, counted across register and login together. */
@Injectable()
export class AuthIpLimitGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(config: AppConfig, limiters: RateLimiterFactory) {
    this.limiter = limiters.create(
      { name: 'auth-ip', points: config.throttling.authIpLimit, durationSeconds: 60 },
      'Too many sign-in attempts from this address. Please try again later.',
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    await this.limiter.consume(clientIp(request) ?? 'unknown');
    return true;
  }
}
