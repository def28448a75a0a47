import { Module } from '@nestjs/common';
import { UsersModule } from '../users';
import { MessagesService } from './application/messages.service';
import { MessageStore } from './domain/message.store';
import { MessagesController } from './http/messages.controller';
import { RedisMessageStore } from './infrastructure/redis-message.store';

@Module({
  imports: [UsersModule],
  controllers: [MessagesController],
  providers: [MessagesService, { provide: MessageStore, useClass: RedisMessageStore }],
  exports: [MessagesService],
})
export class MessagesModule {}
