import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: one row per auth event, kept `AUDIT_RETENTION` after it happened. `user_id`
 * has no foreign key on purpose: the rows of a deleted account outlive it. The table is
 * append-only: a trigger refuses every UPDATE and TRUNCATE, and every DELETE but the retention
 * prune's, which declares itself for its transaction (`audit.prune`).
 */
export class AuditTrail1765324800000 implements MigrationInterface {
  name = 'AuditTrail1765324800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY,
        event varchar(64) NOT NULL,
        user_id uuid,
        actor_id uuid,
        ip varchar(64),
        user_agent varchar(512),
        request_id varchar(128),
        at timestamptz(3) NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    // A user's own events, newest first (keyset on at, id); the admin's read by user too.
    await queryRunner.query(
      'CREATE INDEX audit_events_user_id_at_idx ON audit_events (user_id, at DESC, id DESC)',
    );
    // The admin's read by event, newest first.
    await queryRunner.query(
      'CREATE INDEX audit_events_event_at_idx ON audit_events (event, at DESC, id DESC)',
    );
    // The admin's unfiltered read (scanned backwards) and the retention prune (oldest first).
    await queryRunner.query('CREATE INDEX audit_events_at_idx ON audit_events (at, id)');

    await queryRunner.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('audit.prune', true) = 'on' THEN
          RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_events_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE audit_events');
    await queryRunner.query('DROP FUNCTION audit_events_append_only()');
  }
}
