import type { Type } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestPrincipal } from '../auth';
import type { UserAccount } from '../users';

/** Every method `/rpc` answers; the registry must define exactly these (checked by the compiler). */
export const RPC_METHOD_NAMES = [
  'user.register',
  'user.login',
  'user.verify',
  'user.me',
  'auth.mfa.verify',
  'auth.refresh',
  'auth.logout',
  'auth.status',
  'auth.email.verify',
  'auth.email.verify.request',
  'auth.password.forgot',
  'auth.password.reset',
  'message.list',
  'message.get',
  'message.post',
  'message.delete',
] as const;

export type RpcMethodName = (typeof RPC_METHOD_NAMES)[number];

/** What a handler knows of the HTTP request carrying its call. */
export interface RpcCallContext {
  readonly request: FastifyRequest;
}

export interface AuthenticatedCallContext extends RpcCallContext {
  readonly caller: RequestPrincipal;
  /** The caller's account as the access check read it, as `request.callerAccount` on REST. */
  readonly callerAccount: UserAccount;
}

/**
 * A share of something all the calls of one batch draw from, such as the messages their
 * `message.list` calls may list together; the call that would take more than `max` is refused.
 */
export interface BatchQuota<TParams extends object = object> {
  readonly max: number;
  /** What is counted, plural: `messages`. */
  readonly unit: string;
  /** How much one call takes, from its validated params. */
  readonly take: (params: TParams) => number;
}

/**
 * One method: the REST DTO its params must satisfy (none: it takes no params) and the use case it
 * runs. The dispatcher authenticates, runs `admit`, validates, draws `quota`, then calls `handle`
 * — the order of guards, pipes and handler on the REST route.
 */
export interface RpcMethod {
  readonly params?: Type<object>;
  readonly authenticated: boolean;
  /**
   * It changes nothing and only answers, so sent as a notification (its answer thrown away) it is
   * not run at all.
   */
  readonly readOnly: boolean;
  /**
   * A public method whose own param is named `token` (the token of a mailed link): it gets it,
   * instead of it being taken for an access token and ignored.
   */
  readonly tokenIsParam?: boolean;
  /** Runs before the params are validated, like a REST route's own guard (e.g. a rate limit). */
  readonly admit?: (context: RpcCallContext) => Promise<void>;
  readonly quota?: BatchQuota;
  readonly handle: (params: object, context: RpcCallContext) => Promise<unknown>;
}

export type RpcMethodTable<TName extends RpcMethodName = RpcMethodName> = Readonly<
  Record<TName, RpcMethod>
>;

interface MethodOptions<TParams extends object, TContext extends RpcCallContext> {
  readonly params?: Type<TParams>;
  /** False unless said: a method is taken to have effects. */
  readonly readOnly?: boolean;
  readonly tokenIsParam?: boolean;
  readonly admit?: (context: RpcCallContext) => Promise<void>;
  readonly quota?: BatchQuota<TParams>;
  readonly handle: (params: TParams, context: TContext) => Promise<unknown>;
}

/** A method anyone may call; like a `@Public()` route it ignores any token. */
export function publicMethod<TParams extends object = object>(
  options: MethodOptions<TParams, RpcCallContext>,
): RpcMethod {
  return { readOnly: false, ...options, authenticated: false } as RpcMethod;
}

/** A method that needs an access token; its handler receives the authenticated caller. */
export function authenticatedMethod<TParams extends object = object>(
  // Its `token` param is the access token, always.
  options: Omit<MethodOptions<TParams, AuthenticatedCallContext>, 'tokenIsParam'>,
): RpcMethod {
  // The dispatcher calls `handle` only with a caller in the context for these methods.
  return { readOnly: false, ...options, authenticated: true } as RpcMethod;
}
