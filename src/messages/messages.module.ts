import { Module } from '@nestjs/common';
import { UsersModule } from '../users';
import { MessageCopyService } from './application/message-copy.service';
import { MessagesService } from './application/messages.service';
import { MessageEventBus } from './domain/message-event.bus';
import { MessageStore } from './domain/message.store';
import { MessagesController } from './http/messages.controller';
import { MessageStreamController } from './http/message-stream.controller';
import { MessageStreamHub } from './http/message-stream.hub';
import { PublicReadLimit } from './http/public-read-limit';
import { PublicReadLimitGuard } from './http/public-read-limit.guard';
import { ListedMessageCache } from './infrastructure/listed-message.cache';
import { RedisMessageEventBus } from './infrastructure/redis-message-event.bus';
import { RedisMessageStore } from './infrastructure/redis-message.store';

@Module({
  imports: [UsersModule],
  controllers: [MessagesController, MessageStreamController],
  providers: [
    MessagesService,
    MessageCopyService,
    MessageStreamHub,
    PublicReadLimit,
    PublicReadLimitGuard,
    ListedMessageCache,
    { provide: MessageStore, useClass: RedisMessageStore },
    { provide: MessageEventBus, useClass: RedisMessageEventBus },
  ],
  exports: [MessagesService, MessageCopyService, PublicReadLimit],
})
export class MessagesModule {}
