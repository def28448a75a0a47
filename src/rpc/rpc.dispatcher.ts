import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestAuthenticator } from '../auth';
import { AppConfig } from '../common/config';
import {
  type FieldError,
  TooManyRequestsError,
  toErrorBody,
  ValidationFailedError,
} from '../common/errors';
import { StrictValidationPipe } from '../common/http';
import { logCall } from '../common/logging';
import {
  failure,
  InvalidRequest,
  isNotification,
  type JsonRpcCall,
  type JsonRpcError,
  type JsonRpcResponse,
  readCall,
  RPC_ERRORS,
  success,
} from './json-rpc';
import { AuthRpcMethods } from './methods/auth.rpc-methods';
import { MessageRpcMethods } from './methods/message.rpc-methods';
import { UserRpcMethods } from './methods/user.rpc-methods';
import { BatchRefusal, RpcBatch } from './rpc-batch';
import type {
  AuthenticatedCallContext,
  RpcCallContext,
  RpcMethod,
  RpcMethodName,
  RpcMethodTable,
} from './rpc-method';

/** What `POST /rpc` answers: one response, a batch of them, or nothing (notifications only). */
export type RpcAnswer = JsonRpcResponse | JsonRpcResponse[] | undefined;

/** `data` of every error: the REST error's code and message, and what else REST would say. */
interface RpcErrorData {
  readonly code: string;
  readonly message: string;
  readonly details?: readonly FieldError[];
  readonly retryAfterSeconds?: number;
}

type RpcError = JsonRpcError & { readonly data: RpcErrorData };

/** Method names are the caller's text: the log and the error echo a bounded piece of an unknown one. */
const ECHOED_METHOD_LENGTH = 100;

/**
 * The JSON-RPC 2.0 adapter: reads calls, runs each through the steps a REST route takes
 * (authentication, its guard, DTO validation, the use case) and turns failures into JSON-RPC
 * errors from the same error bodies REST answers with.
 */
@Injectable()
export class RpcDispatcher {
  private readonly logger = new Logger('RpcDispatcher');
  private readonly validation = new StrictValidationPipe();
  private readonly methods: RpcMethodTable;

  constructor(
    private readonly config: AppConfig,
    private readonly authenticator: RequestAuthenticator,
    auth: AuthRpcMethods,
    users: UserRpcMethods,
    messages: MessageRpcMethods,
  ) {
    this.methods = { ...auth.methods, ...users.methods, ...messages.methods };
  }

  async dispatch(body: unknown, request: FastifyRequest): Promise<RpcAnswer> {
    if (!Array.isArray(body)) return this.answer(body, request, new RpcBatch());
    if (body.length === 0) {
      return failure(
        null,
        invalidRequest('INVALID_REQUEST', 'A batch must hold at least one call.'),
      );
    }
    if (body.length > this.config.rpcMaxBatch) {
      return failure(
        null,
        invalidRequest(
          'BATCH_TOO_LARGE',
          `A batch holds at most ${this.config.rpcMaxBatch} calls.`,
        ),
      );
    }
    // One call after another, in order: a batch costs the server no more at once than a single
    // call, and its effects happen in the order they were written. What the calls spend (answer
    // bytes, quotas) is counted across the batch, so the calls past a budget are refused.
    const batch = new RpcBatch();
    const answers: JsonRpcResponse[] = [];
    for (const element of body) {
      const answer = await this.answer(element, request, batch);
      if (answer) answers.push(answer);
    }
    return answers.length > 0 ? answers : undefined;
  }

  /**
   * One element of the body. A notification runs like any call, its answer counted against the
   * batch and then dropped; a read-only one is not run, since all it would do is that answer.
   */
  private async answer(
    element: unknown,
    request: FastifyRequest,
    batch: RpcBatch,
  ): Promise<JsonRpcResponse | undefined> {
    const call = readCall(element);
    if (call instanceof InvalidRequest) {
      logCall(request, { method: null, error: 'INVALID_REQUEST' });
      const refusal = failure(call.id, invalidRequest('INVALID_REQUEST', call.reason));
      batch.charge(refusal);
      return refusal;
    }
    const method = Object.hasOwn(this.methods, call.method)
      ? this.methods[call.method as RpcMethodName]
      : undefined;
    if (isNotification(call) && method?.readOnly) {
      logCall(request, { method: call.method, error: 'READ_ONLY_NOTIFICATION' });
      return undefined;
    }
    const response = await this.run(call, method, request, batch);
    batch.charge(response);
    return isNotification(call) ? undefined : response;
  }

  private async run(
    call: JsonRpcCall,
    method: RpcMethod | undefined,
    request: FastifyRequest,
    batch: RpcBatch,
  ): Promise<JsonRpcResponse> {
    const id = call.id ?? null;
    if (!method) {
      const name = call.method.slice(0, ECHOED_METHOD_LENGTH);
      logCall(request, { method: name, error: 'METHOD_NOT_FOUND' });
      return failure(id, {
        ...RPC_ERRORS.methodNotFound,
        data: { code: 'METHOD_NOT_FOUND', message: `There is no method "${name}".` },
      });
    }
    try {
      const result = await this.invoke(call, method, request, batch);
      logCall(request, { method: call.method });
      return success(id, result);
    } catch (error) {
      const rpcError = this.toRpcError(error);
      logCall(request, { method: call.method, error: rpcError.data.code });
      return failure(id, rpcError);
    }
  }

  /**
   * The steps of a REST route, in its order: authentication, guard, validation, use case; the
   * batch's budget before them all, its quota once the params are known.
   */
  private async invoke(
    call: JsonRpcCall,
    method: RpcMethod,
    request: FastifyRequest,
    batch: RpcBatch,
  ): Promise<unknown> {
    batch.checkAnswerBudget();
    const given = call.params;
    if (Array.isArray(given)) {
      throw new ValidationFailedError([
        { field: 'params', messages: ['params must be an object of named parameters'] },
      ]);
    }
    // `token` stands in for the Authorization header, so it is no param of the method itself,
    // unless the method says it is (a public method taking a mailed link's token).
    const { token, ...rest } = (given ?? {}) as Record<string, unknown>;
    const params = method.tokenIsParam ? { ...rest, token } : rest;
    if (!method.tokenIsParam && token !== undefined && typeof token !== 'string') {
      throw new ValidationFailedError([{ field: 'token', messages: ['token must be a string'] }]);
    }
    const caller = method.authenticated
      ? await this.authenticator.accessToken(
          // The header wins when both are given, as the only credential REST would see.
          request.headers.authorization ?? (token === undefined ? undefined : `Bearer ${token}`),
        )
      : undefined;
    await method.admit?.({ request });
    const validated = await this.validate(method, params);
    if (method.quota) batch.draw(call.method, method.quota, validated);
    const context: RpcCallContext | AuthenticatedCallContext = caller
      ? { request, caller: caller.principal, callerAccount: caller.account }
      : { request };
    return method.handle(validated, context);
  }

  /** The method's REST DTO through the global validation pipe, so details read as on REST. */
  private async validate(method: RpcMethod, params: Record<string, unknown>): Promise<object> {
    if (method.params) {
      return (await this.validation.transform(params, {
        type: 'body',
        metatype: method.params,
      })) as object;
    }
    const unknown = Object.keys(params).sort();
    if (unknown.length > 0) {
      throw new ValidationFailedError(
        unknown.map((field) => ({ field, messages: [`property ${field} should not exist`] })),
      );
    }
    return {};
  }

  /**
   * A failure as JSON-RPC sees it: invalid params and internal errors take the specification's
   * codes; every other failure is an application error whose code is the status REST answers
   * with. `data` is always the REST error's code, message and details.
   */
  private toRpcError(error: unknown): RpcError {
    if (error instanceof BatchRefusal) return invalidRequest(error.code, error.message);
    const body = toErrorBody(error, this.logger);
    const data: RpcErrorData = {
      code: body.code,
      message: body.message,
      ...(body.details ? { details: body.details } : {}),
      ...(error instanceof TooManyRequestsError
        ? { retryAfterSeconds: error.retryAfterSeconds }
        : {}),
    };
    if (body.code === 'VALIDATION_FAILED') return { ...RPC_ERRORS.invalidParams, data };
    if (body.code === 'INTERNAL_ERROR') return { ...RPC_ERRORS.internalError, data };
    return { code: body.statusCode, message: body.error, data };
  }
}

function invalidRequest(code: string, message: string): RpcError {
  return { ...RPC_ERRORS.invalidRequest, data: { code, message } };
}
