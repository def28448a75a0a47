/** What a mailed one-time token may do; a token made for one purpose does nothing else. */
export const ACCOUNT_TOKEN_PURPOSES = [
  'email_verification',
  'password_reset',
  'email_change',
] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/** A token as stored: only the hash of the secret the mail carried. */
export interface AccountToken {
  readonly hash: string;
  readonly purpose: AccountTokenPurpose;
  readonly userId: string;
  /** The address the link was mailed to: the account's, or the new one for an email change. */
  readonly email: string;
  readonly expiresAt: Date;
  readonly createdAt: Date;
}

/** What using a token proves: that its user read mail at `email`. */
export interface AccountTokenGrant {
  readonly userId: string;
  readonly email: string;
}
