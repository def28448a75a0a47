import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts by email: when an address was verified, the one-time tokens that mails carry (only
 * their SHA-256 hash), and the queue of mails waiting to be sent.
 */
export class AccountsByEmail1765065600000 implements MigrationInterface {
  name = 'AccountsByEmail1765065600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN email_verified_at timestamptz(3)`);

    await queryRunner.query(`
      CREATE TABLE account_tokens (
        token_hash char(64) PRIMARY KEY,
        purpose varchar(32) NOT NULL
          CHECK (purpose IN ('email_verification', 'password_reset', 'email_change')),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        email varchar(254) NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        used_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // A reset kills the user's other unused reset tokens; the prune job deletes by expiry.
    await queryRunner.query(
      `CREATE INDEX account_tokens_user_purpose_idx ON account_tokens (user_id, purpose)
         WHERE used_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX account_tokens_expires_at_idx ON account_tokens (expires_at)`,
    );

    await queryRunner.query(`
      CREATE TABLE mail_jobs (
        id uuid PRIMARY KEY,
        kind varchar(64) NOT NULL,
        payload jsonb NOT NULL,
        request_id varchar(128),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz(3) NOT NULL DEFAULT now(),
        locked_until timestamptz(3),
        last_error varchar(500),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX mail_jobs_next_attempt_at_idx ON mail_jobs (next_attempt_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE mail_jobs');
    await queryRunner.query('DROP TABLE account_tokens');
    await queryRunner.query('ALTER TABLE users DROP COLUMN email_verified_at');
  }
}
