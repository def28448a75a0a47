import { TypeOrmTokenBlacklist } from '../../../src/auth/infrastructure/typeorm-token.blacklist';
import { describeTokenBlacklistContract } from '../../contracts/token-blacklist.contract';
import { useTestDatabase } from '../support/adapter-connections';

const database = useTestDatabase();

describeTokenBlacklistContract('TypeOrmTokenBlacklist', async () => {
  await database.empty();
  return {
    blacklist: new TypeOrmTokenBlacklist(database.context()),
    registerUser: () => database.registerUser(),
  };
});
