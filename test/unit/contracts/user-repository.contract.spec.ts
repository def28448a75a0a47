import { describeUserRepositoryContract } from '../../contracts/user-repository.contract';
import { ImmediateUnitOfWork } from '../fakes/immediate.unit-of-work';
import { InMemoryUserRepository } from '../fakes/in-memory-user.repository';

describeUserRepositoryContract('InMemoryUserRepository', async () => ({
  users: new InMemoryUserRepository(),
  unitOfWork: new ImmediateUnitOfWork(),
}));
