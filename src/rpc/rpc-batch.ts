import type { JsonRpcResponse } from './json-rpc';
import type { BatchQuota } from './rpc-method';

/** About two of the largest message pages (500 messages of 1,000 characters). */
export const MAX_BATCH_ANSWER_BYTES = 4 * 1024 * 1024;

/** A call its batch cannot afford; answered `-32600` with `code` in `data` (send it in another batch). */
export class BatchRefusal extends Error {
  constructor(
    readonly code: 'BATCH_ANSWER_TOO_LARGE' | 'BATCH_QUOTA_EXCEEDED',
    message: string,
  ) {
    super(message);
  }
}

/**
 * What the calls of one batch have spent so far. Answers wait in memory until the last call is
 * done, so their bytes are counted; a notification's are counted too, though nothing is sent for
 * it, so that a batch of notifications costs no more than the same batch of calls.
 */
export class RpcBatch {
  private answerBytes = 0;
  private readonly drawn = new Map<string, number>();

  /** Refuses any further call once the answers are past their budget. */
  checkAnswerBudget(): void {
    if (this.answerBytes > MAX_BATCH_ANSWER_BYTES) {
      throw new BatchRefusal(
        'BATCH_ANSWER_TOO_LARGE',
        `This batch's answers passed ${MAX_BATCH_ANSWER_BYTES / (1024 * 1024)} MiB; send this call in another batch.`,
      );
    }
  }

  charge(answer: JsonRpcResponse): void {
    this.answerBytes += Buffer.byteLength(JSON.stringify(answer));
  }

  /** Takes a call's share of its method's quota, or refuses the call and takes nothing. */
  draw(method: string, quota: BatchQuota, params: object): void {
    const total = (this.drawn.get(method) ?? 0) + quota.take(params);
    if (total > quota.max) {
      throw new BatchRefusal(
        'BATCH_QUOTA_EXCEEDED',
        `The ${method} calls of one batch may ask for ${quota.max} ${quota.unit} in all, and this one would make ${total}; send it in another batch.`,
      );
    }
    this.drawn.set(method, total);
  }
}
