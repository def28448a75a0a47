import { TypeOrmSessionRepository } from '../../../src/auth/infrastructure/typeorm-session.repository';
import { describeSessionRepositoryContract } from '../../contracts/session-repository.contract';
import { useTestDatabase } from '../support/adapter-connections';

const database = useTestDatabase();

describeSessionRepositoryContract('TypeOrmSessionRepository', async () => {
  await database.empty();
  return {
    sessions: new TypeOrmSessionRepository(database.context()),
    registerUser: () => database.registerUser(),
  };
});
