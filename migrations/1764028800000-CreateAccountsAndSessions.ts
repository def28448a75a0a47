import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, their sessions, and the access tokens revoked by logout. */
export class CreateAccountsAndSessions1764028800000 implements MigrationInterface {
  name = 'CreateAccountsAndSessions1764028800000';

  // Timestamps keep milliseconds, as JavaScript does, so cursors built from them are exact.
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        email varchar(254) NOT NULL,
        first_name varchar(100) NOT NULL,
        last_name varchar(100) NOT NULL,
        password_hash varchar(100) NOT NULL,
        role varchar(16) NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
        disabled_at timestamptz(3),
        tokens_valid_after timestamptz(3) NOT NULL DEFAULT now(),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // Unique case-insensitively, whatever a writer does about case.
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`);
    await queryRunner.query(`CREATE INDEX users_created_at_id_idx ON users (created_at, id)`);

    await queryRunner.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        refresh_jti uuid NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        last_used_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        revoked_at timestamptz(3),
        revoked_reason varchar(32),
        ip varchar(64),
        user_agent varchar(512)
      )`);
    await queryRunner.query(`CREATE INDEX sessions_user_id_idx ON sessions (user_id)`);
    await queryRunner.query(`CREATE INDEX sessions_expires_at_idx ON sessions (expires_at)`);

    await queryRunner.query(`
      CREATE TABLE blacklist_tokens (
        jti uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // For the prune job, which deletes by expiry in batches.
    await queryRunner.query(
      `CREATE INDEX blacklist_tokens_expires_at_idx ON blacklist_tokens (expires_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX blacklist_tokens_user_id_idx ON blacklist_tokens (user_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE blacklist_tokens');
    await queryRunner.query('DROP TABLE sessions');
    await queryRunner.query('DROP TABLE users');
  }
}
