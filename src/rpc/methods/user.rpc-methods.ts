import { Injectable } from '@nestjs/common';
import { toUserResponse } from '../../users';
import { authenticatedMethod, type RpcMethodTable } from '../rpc-method';

/** The caller's account, as `GET /users/me` answers it. */
@Injectable()
export class UserRpcMethods {
  readonly methods: RpcMethodTable<'user.me'>;

  constructor() {
    this.methods = {
      'user.me': authenticatedMethod({
        readOnly: true,
        handle: async (_params, { callerAccount }) => toUserResponse(callerAccount),
      }),
    };
  }
}
