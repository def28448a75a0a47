import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import type { Role } from '../identity';
import './request-user';

export const ROLES_KEY = 'roles';

/** Restricts a route to callers with one of these roles (checked after authentication). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, roles);

export class RoleRequiredError extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly kind = 'forbidden';

  constructor(role: Role) {
    super(`${role[0].toUpperCase()}${role.slice(1)} role required.`);
  }
}

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles?.length) return true;
    const principal = context.switchToHttp().getRequest<FastifyRequest>().user;
    if (principal && roles.includes(principal.role)) return true;
    throw new RoleRequiredError(roles[0]);
  }
}
