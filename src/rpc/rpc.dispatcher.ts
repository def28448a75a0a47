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
    if (!Array.isArray(body)) return this.answer(body, request);
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
    // call, and its effects happen in the order they were written. The answers wait in memory
    // until the last call is done, so once they pass a budget the remaining calls are refused.
    const answers: JsonRpcResponse[] = [];
    let answerBytes = 0;
    for (const element of body) {
      const answer =
        answerBytes > MAX_BATCH_ANSWER_BYTES
          ? refuseOverBudget(element)
          : await this.answer(element, request);
      if (!answer) continue;
      answers.push(answer);
      answerBytes += Buffer.byteLength(JSON.stringify(answer));
    }
    return answers.length > 0 ? answers : undefined;
  }

  /** One element of the body; a notification runs like any call but is answered with nothing. */
  private async answer(
    element: unknown,
    request: FastifyRequest,
  ): Promise<JsonRpcResponse | undefined> {
    const call = readCall(element);
    if (call instanceof InvalidRequest) {
      logCall(request, { method: null, error: 'INVALID_REQUEST' });
      return failure(call.id, invalidRequest('INVALID_REQUEST', call.reason));
    }
    const response = await this.run(call, request);
    return isNotification(call) ? undefined : response;
  }

  private async run(call: JsonRpcCall, request: FastifyRequest): Promise<JsonRpcResponse> {
    const id = call.id ?? null;
    const method = Object.hasOwn(this.methods, call.method)
      ? this.methods[call.method as RpcMethodName]
      : undefined;
    if (!method) {
      const name = call.method.slice(0, ECHOED_METHOD_LENGTH);
      logCall(request, { method: name, error: 'METHOD_NOT_FOUND' });
      return failure(id, {
        ...RPC_ERRORS.methodNotFound,
        data: { code: 'METHOD_NOT_FOUND', message: `There is no method "${name}".` },
      });
    }
    try {
      const result = await this.invoke(method, call.params, request);
      logCall(request, { method: call.method });
      return success(id, result);
    } catch (error) {
      const rpcError = this.toRpcError(error);
      logCall(request, { method: call.method, error: rpcError.data.code });
      return failure(id, rpcError);
    }
  }

  /** The steps of a REST route, in its order: authentication, guard, validation, use case. */
  private async invoke(
    method: RpcMethod,
    given: unknown,
    request: FastifyRequest,
  ): Promise<unknown> {
    if (Array.isArray(given)) {
      throw new ValidationFailedError([
        { field: 'params', messages: ['params must be an object of named parameters'] },
      ]);
    }
    // `token` stands in for the Authorization header, so it is no param of the method itself.
    const { token, ...params } = (given ?? {}) as Record<string, unknown>;
    if (token !== undefined && typeof token !== 'string') {
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
    const context: RpcCallContext | AuthenticatedCallContext = caller
      ? { request, caller }
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

/** About two of the largest message pages (500 messages of 1,000 characters). */
const MAX_BATCH_ANSWER_BYTES = 4 * 1024 * 1024;

/** A call left unrun because its batch's answers are already too large; notifications stay silent. */
function refuseOverBudget(element: unknown): JsonRpcResponse | undefined {
  const call = readCall(element);
  if (!(call instanceof InvalidRequest) && isNotification(call)) return undefined;
  return failure(
    call.id ?? null,
    invalidRequest(
      'BATCH_ANSWER_TOO_LARGE',
      `This batch's answers passed ${MAX_BATCH_ANSWER_BYTES / (1024 * 1024)} MiB; send this call in another batch.`,
    ),
  );
}

function invalidRequest(code: string, message: string): RpcError {
  return { ...RPC_ERRORS.invalidRequest, data: { code, message } };
}
