import { Injectable } from '@nestjs/common';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../common/pagination';
import { Clock } from '../../common/time';
import {
  CreateMessageDto,
  ListMessagesQuery,
  MessagesService,
  PublicReadLimit,
  toMessageListResponse,
  toMessageResponse,
} from '../../messages';
import {
  authenticatedMethod,
  publicMethod,
  type RpcCallContext,
  type RpcMethodTable,
} from '../rpc-method';
import { MessageIdParams } from './message-id.params';

/** The calls of `/messages`: anyone reads, a signed-in user posts, its author or an admin deletes. */
@Injectable()
export class MessageRpcMethods {
  readonly methods: RpcMethodTable<
    'message.list' | 'message.get' | 'message.post' | 'message.delete'
  >;

  constructor(messages: MessagesService, clock: Clock, reads: PublicReadLimit) {
    // Each read call counts against PUBLIC_READ_LIMIT as one REST read would.
    const countRead = ({ request }: RpcCallContext) => reads.count(request);

    this.methods = {
      'message.list': publicMethod<ListMessagesQuery>({
        params: ListMessagesQuery,
        readOnly: true,
        admit: countRead,
        // A batch lists no more than one REST page may: its calls' limits add up to at most that.
        quota: {
          max: PAGE_SIZE_MAX,
          unit: 'messages',
          take: ({ limit }) => limit ?? PAGE_SIZE_DEFAULT,
        },
        handle: async ({ limit, cursor }) =>
          toMessageListResponse(
            await messages.list(limit ?? PAGE_SIZE_DEFAULT, cursor),
            clock.now(),
          ),
      }),
      'message.get': publicMethod<MessageIdParams>({
        params: MessageIdParams,
        readOnly: true,
        admit: countRead,
        handle: async ({ id }) => toMessageResponse(await messages.get(id), clock.now()),
      }),
      'message.post': authenticatedMethod<CreateMessageDto>({
        params: CreateMessageDto,
        handle: async ({ message, ttlSeconds }, { callerAccount }) =>
          toMessageResponse(await messages.post(callerAccount, message, ttlSeconds), clock.now()),
      }),
      'message.delete': authenticatedMethod<MessageIdParams>({
        params: MessageIdParams,
        handle: async ({ id }, { caller }) => {
          await messages.delete(caller, id);
          // REST answers 204; a JSON-RPC success needs a result, and there is nothing to say.
          return null;
        },
      }),
    };
  }
}
