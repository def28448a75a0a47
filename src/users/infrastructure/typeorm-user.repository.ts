import { Injectable } from '@nestjs/common';
import type { EntityMetadata } from 'typeorm';
import {
  columnOf,
  isUniqueViolation,
  selectList,
  tableOf,
  TypeOrmTransactionContext,
} from '../../common/database';
import { TranslateErrors } from '../../common/errors';
import type { PagePosition } from '../../common/pagination';
import { translatePostgresError } from '../../common/database';
import { normalizeEmail } from '../domain/email';
import { User } from '../domain/user';
import { EmailTakenError } from '../domain/user.errors';
import { UserRepository, type UserPage } from '../domain/user.repository';
import { UserOrmEntity } from './user.orm-entity';

export const EMAIL_UNIQUE_INDEX = 'users_email_lower_key';

@Injectable()
@TranslateErrors(translatePostgresError)
export class TypeOrmUserRepository extends UserRepository {
  private selectByIdSql?: string;

  constructor(private readonly context: TypeOrmTransactionContext) {
    super();
  }

  private get rows() {
    return this.context.repository(UserOrmEntity);
  }

  /**
   * The hottest read (every authenticated `GET /users/me`): one plain statement, its columns
   * taken from the entity's mapping, skips the query builder's work on every call.
   */
  async findById(id: string): Promise<User | null> {
    const manager = this.context.manager();
    this.selectByIdSql ??= selectByIdSql(manager.connection.getMetadata(UserOrmEntity));
    const [row] = (await manager.query(this.selectByIdSql, [id])) as UserOrmEntity[];
    return row ? toDomain(row) : null;
  }

  async lockById(id: string, mode: 'update' | 'share'): Promise<User | null> {
    const row = await this.rows
      .createQueryBuilder('user')
      .setLock(mode === 'update' ? 'pessimistic_write' : 'pessimistic_read')
      .where('user.id = :id', { id })
      .getOne();
    return row ? toDomain(row) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    // lower(email) so the query uses the unique index.
    const row = await this.rows
      .createQueryBuilder('user')
      .where('lower(user.email) = :email', { email: normalizeEmail(email) })
      .getOne();
    return row ? toDomain(row) : null;
  }

  async insert(user: User): Promise<void> {
    try {
      await this.rows.insert(toRow(user));
    } catch (error) {
      if (isUniqueViolation(error, EMAIL_UNIQUE_INDEX)) throw new EmailTakenError();
      throw error;
    }
  }

  async update(user: User): Promise<void> {
    const { id, ...changes } = toRow(user);
    try {
      await this.rows.update({ id }, changes);
    } catch (error) {
      if (isUniqueViolation(error, EMAIL_UNIQUE_INDEX)) throw new EmailTakenError();
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.rows.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  async listPage(limit: number, after: PagePosition | null): Promise<UserPage> {
    const query = this.rows
      .createQueryBuilder('user')
      .orderBy('user.createdAt', 'ASC')
      .addOrderBy('user.id', 'ASC')
      .limit(limit + 1);
    if (after) {
      query.where('(user.createdAt, user.id) > (:createdAt, :id)', {
        createdAt: new Date(after.at),
        id: after.id,
      });
    }
    const rows = await query.getMany();
    const items = rows.slice(0, limit).map(toDomain);
    const last = items.at(-1);
    return {
      items,
      next: rows.length > limit && last ? { at: last.createdAt.getTime(), id: last.id } : null,
    };
  }
}

/** `SELECT "first_name" AS "firstName", … FROM "users" WHERE "id" = $1`: rows come back as entities. */
function selectByIdSql(metadata: EntityMetadata): string {
  const id = columnOf<UserOrmEntity>(metadata, 'id');
  return `SELECT ${selectList(metadata)} FROM ${tableOf(metadata)} WHERE ${id} = $1`;
}

function toDomain(row: UserOrmEntity): User {
  return User.restore({ ...row });
}

function toRow(user: User): UserOrmEntity {
  return Object.assign(new UserOrmEntity(), user.toProps());
}
