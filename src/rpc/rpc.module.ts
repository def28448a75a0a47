import { Module } from '@nestjs/common';
import { AuthModule } from '../auth';
import { MessagesModule } from '../messages';
import { UsersModule } from '../users';
import { AuthRpcMethods } from './methods/auth.rpc-methods';
import { MessageRpcMethods } from './methods/message.rpc-methods';
import { UserRpcMethods } from './methods/user.rpc-methods';
import { RpcController } from './rpc.controller';
import { RpcDispatcher } from './rpc.dispatcher';

/**
 * `POST /rpc`: a JSON-RPC 2.0 transport over the modules' public services. It holds no rule of
 * its own; every method calls what the matching REST route calls.
 */
@Module({
  imports: [UsersModule, AuthModule, MessagesModule],
  controllers: [RpcController],
  providers: [RpcDispatcher, AuthRpcMethods, UserRpcMethods, MessageRpcMethods],
})
export class RpcModule {}
