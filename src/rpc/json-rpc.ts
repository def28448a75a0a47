/** JSON-RPC 2.0 (https://www.jsonrpc.org/specification): the envelope, nothing about our methods. */

export type JsonRpcId = string | number | null;

/** The codes the specification reserves; application errors use others (see `RpcFailure`). */
export const RPC_ERRORS = {
  parseError: { code: -32700, message: 'Parse error' },
  invalidRequest: { code: -32600, message: 'Invalid Request' },
  methodNotFound: { code: -32601, message: 'Method not found' },
  invalidParams: { code: -32602, message: 'Invalid params' },
  internalError: { code: -32603, message: 'Internal error' },
} as const;

export interface JsonRpcError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

export type JsonRpcResponse =
  | { readonly jsonrpc: '2.0'; readonly result: unknown; readonly id: JsonRpcId }
  | { readonly jsonrpc: '2.0'; readonly error: JsonRpcError; readonly id: JsonRpcId };

/** A well-formed call; `id` is absent for a notification, which is answered with nothing. */
export interface JsonRpcCall {
  readonly method: string;
  readonly params: unknown;
  readonly id?: JsonRpcId;
}

const MEMBERS = new Set(['jsonrpc', 'method', 'params', 'id']);

/** Why an element of the body is not a Request object, with the id to answer when it has one. */
export class InvalidRequest {
  constructor(
    readonly reason: string,
    readonly id: JsonRpcId,
  ) {}
}

export function isNotification(call: JsonRpcCall): boolean {
  return !('id' in call);
}

/** Reads one Request object; anything the specification does not allow is an `InvalidRequest`. */
export function readCall(value: unknown): JsonRpcCall | InvalidRequest {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return new InvalidRequest('A call must be a JSON object.', null);
  }
  const candidate = value as Record<string, unknown>;
  const hasId = Object.hasOwn(candidate, 'id');
  if (hasId && !isId(candidate.id)) {
    return new InvalidRequest('id must be a string, a number or null.', null);
  }
  const id = hasId ? (candidate.id as JsonRpcId) : null;
  if (candidate.jsonrpc !== '2.0') return new InvalidRequest('jsonrpc must be "2.0".', id);
  if (typeof candidate.method !== 'string') {
    return new InvalidRequest('method must be a string.', id);
  }
  const params = candidate.params;
  if (params !== undefined && (params === null || typeof params !== 'object')) {
    return new InvalidRequest('params must be an object or an array when present.', id);
  }
  const unknown = Object.keys(candidate).filter((key) => !MEMBERS.has(key));
  if (unknown.length > 0) {
    return new InvalidRequest(`Unknown member(s): ${unknown.join(', ')}.`, id);
  }
  return hasId
    ? { method: candidate.method, params, id: candidate.id as JsonRpcId }
    : { method: candidate.method, params };
}

export function success(id: JsonRpcId, result: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', result, id };
}

export function failure(id: JsonRpcId, error: JsonRpcError): JsonRpcResponse {
  return { jsonrpc: '2.0', error, id };
}

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || Number.isFinite(value);
}
