import { randomUUID } from 'node:crypto';
import { TypeOrmAuditTrail } from '../../../src/common/audit/typeorm-audit.trail';
import { describeAuditTrailContract } from '../../contracts/audit-trail.contract';
import { useTestDatabase } from '../support/adapter-connections';

const database = useTestDatabase();

describeAuditTrailContract('TypeOrmAuditTrail', async () => ({
  trail: new TypeOrmAuditTrail(database.context()),
}));

describe('The audit_events table', () => {
  let id: string;

  beforeEach(async () => {
    id = randomUUID();
    await new TypeOrmAuditTrail(database.context()).append({
      id,
      event: 'logout',
      userId: randomUUID(),
      actorId: null,
      ip: null,
      userAgent: null,
      requestId: null,
      // Recent: no prune deletes it, and it can be deleted by nothing else.
      at: new Date(),
      details: {},
    });
  });

  it('refuses every UPDATE, DELETE and TRUNCATE but the prune’s', async () => {
    const manager = database.context().manager();
    for (const statement of [
      `UPDATE audit_events SET event = 'login.succeeded' WHERE id = '${id}'`,
      `DELETE FROM audit_events WHERE id = '${id}'`,
      'TRUNCATE audit_events',
    ]) {
      await expect(manager.query(statement)).rejects.toThrow(/append-only/);
    }
    const [row] = await manager.query('SELECT event FROM audit_events WHERE id = $1', [id]);
    expect(row).toEqual({ event: 'logout' });
  });

  it('lets the prune’s DELETE through only inside its own transaction', async () => {
    const context = database.context();
    await context.run(() =>
      context.manager().query(`SELECT set_config('audit.prune', 'on', true)`),
    );
    await expect(
      context.manager().query(`DELETE FROM audit_events WHERE id = $1`, [id]),
    ).rejects.toThrow(/append-only/);
  });
});
