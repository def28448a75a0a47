import { AUDITED_EVENTS } from '../../../src/common/audit';
import { FixedClock } from '../fakes/fixed.clock';
import { ImmediateUnitOfWork } from '../fakes/immediate.unit-of-work';
import { RecordingAuthEventLog } from '../fakes/recording-auth-event.log';

const client = { ip: '203.0.113.7', userAgent: 'unit-test', requestId: 'req-1' };
const userId = '11111111-1111-4111-8111-111111111111';
const adminId = '00000000-0000-4000-8000-00000000ad01';

describe('AuthEventLog', () => {
  let unitOfWork: ImmediateUnitOfWork;
  let clock: FixedClock;
  let log: RecordingAuthEventLog;

  beforeEach(() => {
    unitOfWork = new ImmediateUnitOfWork();
    clock = new FixedClock();
    log = new RecordingAuthEventLog(unitOfWork, clock);
  });

  it('keeps a row of every field for an event of the contract, the user as its actor', async () => {
    await log.record('logout', client, { userId, sessionId: 'session-1', ignored: undefined });
    expect(log.rows.events).toEqual([
      {
        id: expect.any(String),
        event: 'logout',
        userId,
        actorId: userId,
        ip: '203.0.113.7',
        userAgent: 'unit-test',
        requestId: 'req-1',
        at: clock.now(),
        details: { sessionId: 'session-1' },
      },
    ]);
  });

  it('names the admin as the actor of an admin’s change, apart from the details', async () => {
    await log.record('user.disabled', client, { userId, actorId: adminId });
    expect(log.rows.events).toEqual([
      expect.objectContaining({ userId, actorId: adminId, details: {} }),
    ]);
  });

  it('logs and counts an event the contract does not list, and keeps no row of it', async () => {
    for (const event of ['session.opened', 'token.refresh_repeated', 'login.mfa_required']) {
      expect(AUDITED_EVENTS).not.toContain(event);
      await log.record(event, client, { userId });
    }
    expect(log.rows.events).toEqual([]);
    expect(log.entries.map((entry) => entry.event)).toEqual([
      'session.opened',
      'token.refresh_repeated',
      'login.mfa_required',
    ]);
  });

  it('logs an event of a change once the change commits, and never when it rolls back', async () => {
    await unitOfWork.run(async () => {
      await log.record('password.changed', client, { userId });
      expect(log.entries).toEqual([]);
    });
    expect(log.entries.map((entry) => entry.event)).toEqual(['password.changed']);

    await expect(
      unitOfWork.run(async () => {
        await log.record('user.deleted', client, { userId });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(log.entries.map((entry) => entry.event)).toEqual(['password.changed']);
  });

  it('fails the change when its row cannot be written', async () => {
    jest.spyOn(log.rows, 'append').mockRejectedValueOnce(new Error('database away'));
    await expect(log.record('password.changed', client, { userId })).rejects.toThrow(
      'database away',
    );
  });

  it('keeps a refusal with no actor, and only logs it when its row cannot be written', async () => {
    await log.recordRefusal('login.failed', client, { userId, reason: 'invalid_credentials' });
    expect(log.rows.events).toEqual([
      expect.objectContaining({
        userId,
        actorId: null,
        details: { reason: 'invalid_credentials' },
      }),
    ]);

    jest.spyOn(log.rows, 'append').mockRejectedValueOnce(new Error('database away'));
    await expect(log.recordRefusal('login.failed', client)).resolves.toBeUndefined();
    expect(log.entries.map((entry) => entry.event)).toEqual(['login.failed', 'login.failed']);
  });
});
