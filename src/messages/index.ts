export { MessagesModule } from './messages.module';
export { MessagesService } from './application/messages.service';
export { MessageCopyService, type MessageCopyReport } from './application/message-copy.service';
/** For the CLI's copy from another Redis: the store on a client of its own. */
export { RedisMessageStore } from './infrastructure/redis-message.store';
export { PublicReadLimit } from './http/public-read-limit';
export { CreateMessageDto } from './http/dto/create-message.dto';
export { ListMessagesQuery } from './http/dto/list-messages.query';
export {
  MessageListResponseDto,
  MessageResponseDto,
  toMessageListResponse,
  toMessageResponse,
} from './http/dto/message.response';
