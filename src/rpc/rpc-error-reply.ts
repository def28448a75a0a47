import type { ProtocolErrorReply } from '../common/errors';
import { failure, RPC_ERRORS } from './json-rpc';

/**
 * Fastify parses the body before any handler runs, so an unparsable one reaches the global
 * error filter; on `/rpc` it becomes the specification's parse error. HTTP 200, as for every
 * answer the protocol gives. Bodies refused unread (413, 415) keep their REST answer.
 */
export const rpcErrorReply: ProtocolErrorReply = (error) =>
  error.code === 'MALFORMED_JSON'
    ? {
        status: 200,
        body: failure(null, {
          ...RPC_ERRORS.parseError,
          data: { code: error.code, message: error.message },
        }),
      }
    : undefined;
