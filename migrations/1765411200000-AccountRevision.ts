import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `users.revision` counts an account's changes. The auth cache keeps a copy of each account it
 * checks tokens against, and answers `GET /users/me` from it; the revision orders those copies,
 * so a slow writer never puts back an older one.
 */
export class AccountRevision1765411200000 implements MigrationInterface {
  name = 'AccountRevision1765411200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users ADD COLUMN revision integer NOT NULL DEFAULT 0');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users DROP COLUMN revision');
  }
}
