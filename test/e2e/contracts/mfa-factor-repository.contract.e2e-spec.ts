import { TypeOrmMfaFactorRepository } from '../../../src/auth/infrastructure/typeorm-mfa-factor.repository';
import { describeMfaFactorRepositoryContract } from '../../contracts/mfa-factor-repository.contract';
import { useTestDatabase } from '../support/adapter-connections';

const database = useTestDatabase();

describe('the PostgreSQL second factors', () => {
  // Its factors are sealed under made-up key ids: none may be left for a suite that re-seals them
  // all (the CLI's mfa-rotate-key). Inside this block, so it runs before the connection closes.
  afterAll(() => database.empty());

  describeMfaFactorRepositoryContract('TypeOrmMfaFactorRepository', async () => {
    await database.empty();
    return {
      factors: new TypeOrmMfaFactorRepository(database.context()),
      registerUser: () => database.registerUser(),
    };
  });
});
