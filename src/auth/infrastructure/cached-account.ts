import type { AccountState } from '../domain/access-decision';
import { type Role, ROLES } from '../../common/identity';
import type { UserAccount } from '../../users';

/*
 * How the auth cache stores an account: `<revision>|<JSON>`, the revision first so that the Lua
 * compare-and-set (lua/auth-account-set-unless-newer.lua) reads it without parsing the JSON.
 * One module, so the cache adapter and the benchmark baseline that reads the same entries
 * (bench/baselines/plain-users-me.mjs, from dist/) cannot drift apart.
 */

/** A deleted account's revision: higher than any real one, so nothing replaces the deletion. */
const DELETED = Number.MAX_SAFE_INTEGER;

/** Its order among copies; a deletion outranks every revision. */
export const revisionOf = (account: AccountState<UserAccount>) => account?.revision ?? DELETED;

/** The account as `<revision>|<JSON>`, dates in ms; a deletion as `<DELETED>|`. */
export function encodeAccount(account: AccountState<UserAccount>): string {
  if (!account) return `${DELETED}|`;
  const cached: CachedAccount = {
    id: account.id,
    email: account.email,
    firstName: account.firstName,
    lastName: account.lastName,
    role: account.role,
    disabledAt: account.disabledAt?.getTime() ?? null,
    emailVerifiedAt: account.emailVerifiedAt?.getTime() ?? null,
    mfaEnabled: account.mfaEnabled,
    tokensValidAfter: account.tokensValidAfter.getTime(),
    createdAt: account.createdAt.getTime(),
  };
  return `${account.revision}|${JSON.stringify(cached)}`;
}

/** Undefined (not cached) for a value it cannot read, so the record answers instead. */
export function decodeAccount(value: string): AccountState<UserAccount> | undefined {
  const separator = value.indexOf('|');
  const revisionText = value.slice(0, separator);
  if (separator < 1 || !/^\d+$/.test(revisionText)) return undefined;
  const revision = Number(revisionText);
  if (revision === DELETED) return null;
  let cached: unknown;
  try {
    cached = JSON.parse(value.slice(separator + 1));
  } catch {
    return undefined;
  }
  if (!isCachedAccount(cached)) return undefined;
  return {
    ...cached,
    disabledAt: dateOrNull(cached.disabledAt),
    emailVerifiedAt: dateOrNull(cached.emailVerifiedAt),
    tokensValidAfter: new Date(cached.tokensValidAfter),
    createdAt: new Date(cached.createdAt),
    revision,
  };
}

function isCachedAccount(value: unknown): value is CachedAccount {
  const account = value as Partial<Record<keyof CachedAccount, unknown>> | null;
  const isTime = (time: unknown) => typeof time === 'number' && Number.isFinite(time);
  return (
    typeof account === 'object' &&
    account !== null &&
    typeof account.id === 'string' &&
    typeof account.email === 'string' &&
    typeof account.firstName === 'string' &&
    typeof account.lastName === 'string' &&
    ROLES.includes(account.role as Role) &&
    typeof account.mfaEnabled === 'boolean' &&
    (account.disabledAt === null || isTime(account.disabledAt)) &&
    (account.emailVerifiedAt === null || isTime(account.emailVerifiedAt)) &&
    isTime(account.tokensValidAfter) &&
    isTime(account.createdAt)
  );
}

type CachedAccount = Omit<
  UserAccount,
  'disabledAt' | 'emailVerifiedAt' | 'tokensValidAfter' | 'createdAt' | 'revision'
> & {
  readonly disabledAt: number | null;
  readonly emailVerifiedAt: number | null;
  readonly tokensValidAfter: number;
  readonly createdAt: number;
};

const dateOrNull = (ms: number | null) => (ms === null ? null : new Date(ms));
