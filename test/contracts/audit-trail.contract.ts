import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditTrail } from '../../src/common/audit';

export interface AuditTrailFixture {
  /** May hold other tests' rows: every read here names its own user. */
  readonly trail: AuditTrail;
}

const T0 = Date.parse('2001-02-03T04:05:06.789Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** What every `AuditTrail` does, the in-memory fake as much as PostgreSQL. */
export function describeAuditTrailContract(
  name: string,
  setup: () => Promise<AuditTrailFixture>,
): void {
  describe(`${name} keeps the AuditTrail contract`, () => {
    let trail: AuditTrail;
    let userId: string;

    beforeEach(async () => {
      ({ trail } = await setup());
      userId = randomUUID();
    });

    // The rows here are years old: none is left for the next test, or for a prune to count.
    afterEach(() => trail.deleteOlderThan(at(3600), 10_000));

    async function aRow(overrides: Partial<AuditEvent> = {}): Promise<AuditEvent> {
      const row: AuditEvent = {
        id: randomUUID(),
        event: 'login.succeeded',
        userId,
        actorId: userId,
        ip: '203.0.113.7',
        userAgent: 'contract-test',
        requestId: 'req-contract',
        at: at(0),
        details: {},
        ...overrides,
      };
      await trail.append(row);
      return row;
    }

    it('gives a row back as it was appended, details and nulls included', async () => {
      const row = await aRow({
        actorId: null,
        ip: null,
        userAgent: null,
        requestId: null,
        details: { reason: 'invalid_credentials', revokedSessions: 2, secondFactor: true },
      });
      expect((await trail.page({ userId }, 10, null)).items).toEqual([row]);
    });

    it('reads newest first, ties by id downwards, and pages through each row exactly once', async () => {
      const rows = [
        await aRow({ at: at(1) }),
        await aRow({ at: at(3) }),
        await aRow({ at: at(2) }),
        await aRow({ at: at(2) }),
        await aRow({ at: at(0) }),
      ];
      const expected = [...rows]
        .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1))
        .map((row) => row.id);

      const seen: string[] = [];
      let after = null;
      do {
        const page = await trail.page({ userId }, 2, after);
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((row) => row.id));
        after = page.next;
      } while (after);
      expect(seen).toEqual(expected);
      expect((await trail.page({ userId }, 5, null)).next).toBeNull();
    });

    it('filters by user and by event, alone or together', async () => {
      const otherUser = randomUUID();
      const failed = await aRow({ event: 'login.failed', at: at(1) });
      const succeeded = await aRow({ event: 'login.succeeded', at: at(2) });
      const others = await aRow({ userId: otherUser, event: 'login.failed', at: at(3) });

      // Read from just after these rows' time on: any newer row of another test stays out.
      const justAfter = { at: at(4).getTime(), id: 'ffffffff-ffff-4fff-bfff-ffffffffffff' };
      const ids = async (filter: { userId?: string; event?: string }) =>
        (await trail.page(filter, 100, justAfter)).items.map((row) => row.id);
      expect(await ids({ userId })).toEqual([succeeded.id, failed.id]);
      expect(await ids({ userId, event: 'login.failed' })).toEqual([failed.id]);
      expect(await ids({ userId: otherUser })).toEqual([others.id]);
      expect(await ids({ event: 'login.failed' })).toEqual([others.id, failed.id]);
    });

    it('deletes the rows older than the cutoff, oldest first, at most `limit` at a time', async () => {
      const [oldest, older, old] = [
        await aRow({ at: at(-30) }),
        await aRow({ at: at(-20) }),
        await aRow({ at: at(-10) }),
      ];
      const atCutoff = await aRow({ at: at(0) });

      expect(await trail.deleteOlderThan(at(0), 2)).toBe(2);
      const left = (await trail.page({ userId }, 10, null)).items.map((row) => row.id);
      expect(left).toEqual([atCutoff.id, old.id]);
      expect(left).not.toContain(oldest.id);
      expect(left).not.toContain(older.id);

      expect(await trail.deleteOlderThan(at(0), 2)).toBe(1);
      expect(await trail.deleteOlderThan(at(0), 2)).toBe(0);
      expect((await trail.page({ userId }, 10, null)).items.map((row) => row.id)).toEqual([
        atCutoff.id,
      ]);
    });
  });
}
