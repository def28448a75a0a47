import { Injectable, type OnModuleInit } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { AppConfig } from '../../common/config';
import { Metrics } from '../../common/metrics';
import { PasswordHasher } from '../domain/password-hasher';

const DUMMY_PASSWORD = 'tempmessenger-dummy-password';

/**
 * bcrypt's async API runs on libuv's thread pool, off the event loop; each call is counted in
 * `tempmessenger_bcrypt_in_flight` while it runs or waits for a thread.
 */
@Injectable()
export class BcryptPasswordHasher extends PasswordHasher implements OnModuleInit {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  /** Made at start, at the configured cost, so the first unknown-email login is not slower. */
  async onModuleInit(): Promise<void> {
    this.dummyHash = this.hash(DUMMY_PASSWORD);
    await this.dummyHash;
  }

  hash(password: string): Promise<string> {
    return this.metrics.bcryptWork(() => bcrypt.hash(password, this.config.bcryptCost));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.metrics.bcryptWork(() => bcrypt.compare(password, hash));
  }

  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash(DUMMY_PASSWORD);
    await this.verify(password.replaceAll('\u0000', ''), await this.dummyHash);
    return false;
  }
}
