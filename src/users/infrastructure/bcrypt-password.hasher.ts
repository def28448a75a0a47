import { Injectable, type OnModuleInit } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { AppConfig } from '../../common/config';
import { PasswordHasher } from '../domain/password-hasher';

/** bcrypt's async API runs on libuv's thread pool, off the event loop. */
@Injectable()
export class BcryptPasswordHasher extends PasswordHasher implements OnModuleInit {
  private dummyHash?: Promise<string>;

  constructor(private readonly config: AppConfig) {
    super();
  }

  /** Made at start, at the configured cost, so the first unknown-email login is not slower. */
  async onModuleInit(): Promise<void> {
    this.dummyHash = bcrypt.hash('tempmessenger-dummy-password', this.config.bcryptCost);
    await this.dummyHash;
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.bcryptCost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= bcrypt.hash('tempmessenger-dummy-password', this.config.bcryptCost);
    await bcrypt.compare(password.replaceAll('\u0000', ''), await this.dummyHash);
    return false;
  }
}
