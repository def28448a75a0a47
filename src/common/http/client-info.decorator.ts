import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from '../identity';
import { clientIp } from './client-ip';
import { userAgentOf } from './user-agent';

export function clientInfoOf(request: FastifyRequest): ClientInfo {
  return { ip: clientIp(request), userAgent: userAgentOf(request), requestId: request.id };
}

/** The caller's IP (as Fastify resolves it, honouring TRUST_PROXY), user agent and request id. */
export const Client = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientInfo =>
    clientInfoOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
