import { randomUUID } from 'node:crypto';
import { describeSessionRepositoryContract } from '../../contracts/session-repository.contract';
import { InMemorySessionRepository } from '../fakes/in-memory-session.repository';

describeSessionRepositoryContract('InMemorySessionRepository', async () => ({
  sessions: new InMemorySessionRepository(),
  registerUser: async () => randomUUID(),
}));
