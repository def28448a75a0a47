export { MessagesModule } from './messages.module';
export { MessagesService } from './application/messages.service';
export { PublicReadLimit } from './http/public-read-limit';
export { CreateMessageDto } from './http/dto/create-message.dto';
export { ListMessagesQuery } from './http/dto/list-messages.query';
export {
  MessageListResponseDto,
  MessageResponseDto,
  toMessageListResponse,
  toMessageResponse,
} from './http/dto/message.response';
