export { MessagesModule } from './messages.module';
export { MessagesService } from './application/messages.service';
export { CreateMessageDto } from './http/dto/create-message.dto';
export { ListMessagesQuery, MESSAGES_PAGE_DEFAULT } from './http/dto/list-messages.query';
export {
  MessageListResponseDto,
  MessageResponseDto,
  toMessageListResponse,
  toMessageResponse,
} from './http/dto/message.response';
