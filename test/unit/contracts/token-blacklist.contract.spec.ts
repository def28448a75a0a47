import { randomUUID } from 'node:crypto';
import { describeTokenBlacklistContract } from '../../contracts/token-blacklist.contract';
import { InMemoryTokenBlacklist } from '../fakes/in-memory-token.blacklist';

describeTokenBlacklistContract('InMemoryTokenBlacklist', async () => ({
  blacklist: new InMemoryTokenBlacklist(),
  registerUser: async () => randomUUID(),
}));
