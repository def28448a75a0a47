import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PublicReadLimit } from './public-read-limit';

/** Counts a public read against PUBLIC_READ_LIMIT, before its query is validated. */
@Injectable()
export class PublicReadLimitGuard implements CanActivate {
  constructor(private readonly limit: PublicReadLimit) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.limit.count(context.switchToHttp().getRequest<FastifyRequest>());
    return true;
  }
}
