export { RpcModule } from './rpc.module';
export { RPC_ROUTE } from './rpc.controller';
export { rpcErrorReply } from './rpc-error-reply';
