export { MessagesModule } from './messages.module';
export { MessagesService } from './application/messages.service';
