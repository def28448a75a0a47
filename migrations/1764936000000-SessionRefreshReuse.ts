import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a session needs to answer its just-rotated refresh token again: the current token's `iat`
 * (its `exp` is the session's `expires_at`), the token it replaced and when.
 */
export class SessionRefreshReuse1764936000000 implements MigrationInterface {
  name = 'SessionRefreshReuse1764936000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE sessions
        ADD COLUMN refresh_issued_at timestamptz(3),
        ADD COLUMN previous_refresh_jti uuid,
        ADD COLUMN rotated_at timestamptz(3)`);
    // The current token of an existing session was signed at its last refresh, or its login.
    await queryRunner.query(`UPDATE sessions SET refresh_issued_at = last_used_at`);
    await queryRunner.query(`
      ALTER TABLE sessions
        ALTER COLUMN refresh_issued_at SET DEFAULT now(),
        ALTER COLUMN refresh_issued_at SET NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE sessions
        DROP COLUMN rotated_at,
        DROP COLUMN previous_refresh_jti,
        DROP COLUMN refresh_issued_at`);
  }
}
