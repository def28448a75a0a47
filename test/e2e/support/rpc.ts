import type { Response } from 'supertest';
import type { AppUnderTest } from './test-app';

export type RpcId = string | number | null;

/** A JSON-RPC 2.0 call; without `id` it is a notification. */
export function rpcCall(method: string, params?: unknown, id?: RpcId): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    method,
    ...(params === undefined ? {} : { params }),
    ...(id === undefined ? {} : { id }),
  };
}

/** POSTs a body to /rpc, as JSON, with optional headers. */
export function postRpc(
  testApp: AppUnderTest,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return testApp.http
    .post('/rpc')
    .set({ 'Content-Type': 'application/json', ...headers })
    .send(JSON.stringify(body));
}

/** One call with id 1; resolves to the JSON-RPC response, after checking the HTTP envelope. */
export async function callRpc(
  testApp: AppUnderTest,
  method: string,
  params?: unknown,
  headers: Record<string, string> = {},
): Promise<Response['body']> {
  const response = await postRpc(testApp, rpcCall(method, params, 1), headers);
  expect(response.status).toBe(200);
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.body.jsonrpc).toBe('2.0');
  return response.body;
}

export interface RpcErrorBody {
  code: number;
  message: string;
  data: { code: string; message: string; details?: unknown; retryAfterSeconds?: number };
}

/** An error answer: its JSON-RPC code and the REST error code in `data`. */
export function expectRpcError(
  answer: { result?: unknown; error?: RpcErrorBody },
  code: number,
  restCode: string,
  message?: string,
): void {
  expect(answer.result).toBeUndefined();
  expect(answer.error).toEqual({
    code,
    message: expect.any(String),
    data: expect.objectContaining({ code: restCode, message: message ?? expect.any(String) }),
  });
}
