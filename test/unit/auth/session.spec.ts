import { Session } from '../../../src/auth/domain/session';
import { FixedClock } from '../fakes/fixed.clock';

const DAY = 86_400_000;
const LIFETIME = { idleSeconds: 14 * 86_400, maxSeconds: 30 * 86_400 };

function openSession(clock: FixedClock): Session {
  return Session.open({
    id: 's1',
    userId: 'u1',
    refreshJti: 'r0',
    now: clock.now(),
    lifetime: LIFETIME,
    ip: null,
    userAgent: null,
  });
}

describe('Session', () => {
  it('opens with a refresh grant in whole seconds that ends with the session', () => {
    const clock = new FixedClock(new Date('2026-11-25T12:00:00.750Z'));
    const session = openSession(clock);
    expect(session.refreshGrant).toEqual({
      jti: 'r0',
      issuedAt: new Date('2026-11-25T12:00:00.000Z'),
      expiresAt: new Date('2026-12-09T12:00:00.000Z'),
    });
    expect(session.expiresAt).toEqual(session.refreshGrant.expiresAt);
  });

  it('slides its expiry at each rotation, never past the absolute lifetime from login', () => {
    const clock = new FixedClock();
    const session = openSession(clock);
    const loggedIn = clock.now().getTime();

    clock.advance(10 * DAY);
    session.rotate('r1', clock.now(), LIFETIME);
    expect(session.expiresAt.getTime()).toBe(loggedIn + 24 * DAY);
    expect(session.lastUsedAt).toEqual(clock.now());

    clock.advance(10 * DAY);
    session.rotate('r2', clock.now(), LIFETIME);
    expect(session.expiresAt.getTime()).toBe(loggedIn + 30 * DAY);
    expect(session.isActive(new Date(loggedIn + 30 * DAY - 1))).toBe(true);
    expect(session.isActive(new Date(loggedIn + 30 * DAY))).toBe(false);
  });

  it('names the successor of the token it rotated away last, within the interval only', () => {
    const clock = new FixedClock();
    const session = openSession(clock);
    session.rotate('r1', clock.now(), LIFETIME);
    const successor = session.refreshGrant;

    clock.advance(10_000);
    expect(session.successorOf('r0', clock.now(), 10)).toEqual(successor);
    expect(session.successorOf('r0', clock.now(), 0)).toBeNull();
    expect(session.successorOf('r1', clock.now(), 10)).toBeNull();
    clock.advance(1);
    expect(session.successorOf('r0', clock.now(), 10)).toBeNull();
  });

  it('forgets the older tokens after a second rotation', () => {
    const clock = new FixedClock();
    const session = openSession(clock);
    session.rotate('r1', clock.now(), LIFETIME);
    session.rotate('r2', clock.now(), LIFETIME);
    expect(session.successorOf('r0', clock.now(), 10)).toBeNull();
    expect(session.successorOf('r1', clock.now(), 10)?.jti).toBe('r2');
  });

  it('has no successor for a token before any rotation', () => {
    const session = openSession(new FixedClock());
    expect(session.successorOf('r0', new Date(), 10)).toBeNull();
  });
});
