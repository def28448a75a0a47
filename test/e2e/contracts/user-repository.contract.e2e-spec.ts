import { TypeOrmUserRepository } from '../../../src/users/infrastructure/typeorm-user.repository';
import { describeUserRepositoryContract } from '../../contracts/user-repository.contract';
import { useTestDatabase } from '../support/adapter-connections';

const database = useTestDatabase();

describeUserRepositoryContract('TypeOrmUserRepository', async () => {
  await database.empty();
  const context = database.context();
  return { users: new TypeOrmUserRepository(context), unitOfWork: context };
});
