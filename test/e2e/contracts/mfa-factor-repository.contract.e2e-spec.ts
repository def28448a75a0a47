import { TypeOrmMfaFactorRepository } from '../../../src/auth/infrastructure/typeorm-mfa-factor.repository';
import { describeMfaFactorRepositoryContract } from '../../contracts/mfa-factor-repository.contract';
import { useTestDatabase } from '../support/adapter-connections';

const database = useTestDatabase();

describeMfaFactorRepositoryContract('TypeOrmMfaFactorRepository', async () => {
  await database.empty();
  return {
    factors: new TypeOrmMfaFactorRepository(database.context()),
    registerUser: () => database.registerUser(),
  };
});
