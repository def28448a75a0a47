import { randomUUID } from 'node:crypto';
import { describeMfaFactorRepositoryContract } from '../../contracts/mfa-factor-repository.contract';
import { InMemoryMfaFactorRepository } from '../fakes/in-memory-mfa-factor.repository';

describeMfaFactorRepositoryContract('InMemoryMfaFactorRepository', async () => ({
  factors: new InMemoryMfaFactorRepository(),
  registerUser: async () => randomUUID(),
}));
