import type { UserAccount } from './user-account';

export type AccessRevocationReason =
  'password_change' | 'password_reset' | 'user_disabled' | 'user_deleted' | 'mfa_reset';

export interface AccessRevocation {
  readonly userId: string;
  readonly reason: AccessRevocationReason;
  /** The account as it is after the change; null once deleted. */
  readonly account: UserAccount | null;
}

/**
 * How other modules react to account changes without the users module knowing them:
 * they register a listener with `UsersService.addLifecycleListener`.
 */
export interface UserLifecycleListener {
  /**
   * Inside the transaction that restricts the account (new password, reset, disable, deletion):
   * make every earlier session and token stop working. Throwing aborts the change.
   */
  accessRevoked?(revocation: AccessRevocation): Promise<void>;
  /**
   * After any change to the account is committed, before its caller answers: keep copies of the
   * account current. A failure is logged; the change stands.
   */
  accountChanged?(account: UserAccount): Promise<void>;
  /**
   * Inside the transaction that deletes the user, under its row lock: remove what the module
   * keeps for it. Throwing aborts the deletion, so nothing is left behind for good.
   */
  userDeleted?(userId: string): Promise<void>;
}
