import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A TOTP second factor: whether the account has one (`users.mfa_enabled_at`), its secret sealed
 * under a key named by `key_id` with the last time step it accepted, and its recovery codes (only
 * their SHA-256 hash).
 */
export class SecondFactor1765238400000 implements MigrationInterface {
  name = 'SecondFactor1765238400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN mfa_enabled_at timestamptz(3)`);

    // One factor per user; `enabled_at` null while the setup waits for its first code.
    await queryRunner.query(`
      CREATE TABLE mfa_factors (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        secret_ciphertext varchar(200) NOT NULL,
        key_id char(16) NOT NULL,
        enabled_at timestamptz(3),
        last_used_step bigint,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // The key rotation looks for the secrets still sealed under another key.
    await queryRunner.query(`CREATE INDEX mfa_factors_key_id_idx ON mfa_factors (key_id)`);

    await queryRunner.query(`
      CREATE TABLE mfa_recovery_codes (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        code_hash char(64) NOT NULL,
        used_at timestamptz(3),
        PRIMARY KEY (user_id, code_hash)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE mfa_recovery_codes');
    await queryRunner.query('DROP TABLE mfa_factors');
    await queryRunner.query('ALTER TABLE users DROP COLUMN mfa_enabled_at');
  }
}
