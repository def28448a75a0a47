import { Injectable } from '@nestjs/common';
import { toUserResponse, UsersService } from '../../users';
import { authenticatedMethod, type RpcMethodTable } from '../rpc-method';

/** The caller's account, as `GET /users/me` answers it. */
@Injectable()
export class UserRpcMethods {
  readonly methods: RpcMethodTable<'user.me'>;

  constructor(users: UsersService) {
    this.methods = {
      'user.me': authenticatedMethod({
        readOnly: true,
        handle: async (_params, { caller }) =>
          toUserResponse(await users.getAccount(caller.userId)),
      }),
    };
  }
}
