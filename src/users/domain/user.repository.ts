import type { PagePosition } from '../../common/pagination/page-position';
import type { User } from './user';

export interface UserPage {
  readonly items: User[];
  /** Where the next page starts, by creation time; null on the last page. */
  readonly next: PagePosition | null;
}

export abstract class UserRepository {
  abstract findById(id: string): Promise<User | null>;
  /**
   * Inside a unit of work: reads the user and locks its row until the transaction ends,
   * exclusively (`update`) for a change, shared (`share`) to rely on it staying as read.
   */
  abstract lockById(id: string, mode: 'update' | 'share'): Promise<User | null>;
  /** `email` is already normalized (trimmed, lower-cased). */
  abstract findByEmail(email: string): Promise<User | null>;
  /** Throws `EmailTakenError` when the email is registered already, also under a race. */
  abstract insert(user: User): Promise<void>;
  /** Throws `EmailTakenError` when the user's new email is registered already. */
  abstract update(user: User): Promise<void>;
  /** Returns false when there was no such user. */
  abstract delete(id: string): Promise<boolean>;
  /** Oldest first. */
  abstract listPage(limit: number, after: PagePosition | null): Promise<UserPage>;
}
