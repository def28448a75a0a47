import { TypeOrmAccountTokenRepository } from '../../../src/users/infrastructure/typeorm-account-token.repository';
import { describeAccountTokenRepositoryContract } from '../../contracts/account-token-repository.contract';
import { useTestDatabase } from '../support/adapter-connections';

const database = useTestDatabase();

describeAccountTokenRepositoryContract('TypeOrmAccountTokenRepository', async () => {
  await database.empty();
  return {
    tokens: new TypeOrmAccountTokenRepository(database.context()),
    registerUser: () => database.registerUser(),
  };
});
