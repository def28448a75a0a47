import type { PagePosition } from '../../../src/common/pagination';
import { User, type UserProps } from '../../../src/users/domain/user';
import { EmailTakenError } from '../../../src/users/domain/user.errors';
import { UserRepository, type UserPage } from '../../../src/users/domain/user.repository';

export class InMemoryUserRepository extends UserRepository {
  readonly rows = new Map<string, UserProps>();

  async findById(id: string): Promise<User | null> {
    const row = this.rows.get(id);
    return row ? User.restore(row) : null;
  }

  lockById(id: string): Promise<User | null> {
    return this.findById(id);
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = this.rowByEmail(email);
    return row ? User.restore(row) : null;
  }

  /** Checks and writes in one step, as the unique index does: of two racing inserts one fails. */
  async insert(user: User): Promise<void> {
    if (this.rowByEmail(user.email.toLowerCase())) throw new EmailTakenError();
    this.rows.set(user.id, user.toProps());
  }

  /** Like an SQL UPDATE, changes only a user it holds; an email another user has is refused. */
  async update(user: User): Promise<void> {
    if (!this.rows.has(user.id)) return;
    const holder = this.rowByEmail(user.email.toLowerCase());
    if (holder && holder.id !== user.id) throw new EmailTakenError();
    this.rows.set(user.id, user.toProps());
  }

  async delete(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }

  async listPage(limit: number, after: PagePosition | null): Promise<UserPage> {
    const sorted = [...this.rows.values()].sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
    );
    const rest = after
      ? sorted.filter(
          (row) =>
            row.createdAt.getTime() > after.at ||
            (row.createdAt.getTime() === after.at && row.id > after.id),
        )
      : sorted;
    const items = rest.slice(0, limit).map((row) => User.restore(row));
    const last = items.at(-1);
    return {
      items,
      next: rest.length > limit && last ? { at: last.createdAt.getTime(), id: last.id } : null,
    };
  }

  private rowByEmail(email: string): UserProps | undefined {
    return [...this.rows.values()].find((candidate) => candidate.email.toLowerCase() === email);
  }
}
