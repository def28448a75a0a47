import { randomUUID } from 'node:crypto';
import { describeAccountTokenRepositoryContract } from '../../contracts/account-token-repository.contract';
import { InMemoryAccountTokenRepository } from '../fakes/in-memory-account-token.repository';

describeAccountTokenRepositoryContract('InMemoryAccountTokenRepository', async () => ({
  tokens: new InMemoryAccountTokenRepository(),
  registerUser: async () => randomUUID(),
}));
