import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { MailTemplates } from '../common/mail';
import { AccountEmailService } from './application/account-email.service';
import { UsersService } from './application/users.service';
import { AccountTokenRepository } from './domain/account-token.repository';
import { PasswordHasher } from './domain/password-hasher';
import { UserRepository } from './domain/user.repository';
import { UsersController } from './http/users.controller';
import { BcryptPasswordHasher } from './infrastructure/bcrypt-password.hasher';
import { TypeOrmAccountTokenRepository } from './infrastructure/typeorm-account-token.repository';
import { TypeOrmUserRepository } from './infrastructure/typeorm-user.repository';

@Module({
  controllers: [UsersController],
  providers: [
    UsersService,
    AccountEmailService,
    { provide: UserRepository, useClass: TypeOrmUserRepository },
    { provide: AccountTokenRepository, useClass: TypeOrmAccountTokenRepository },
    { provide: PasswordHasher, useClass: BcryptPasswordHasher },
    {
      provide: MailTemplates,
      useFactory: () => new MailTemplates(join(__dirname, 'infrastructure', 'mail-templates')),
    },
  ],
  exports: [UsersService, AccountEmailService],
})
export class UsersModule {}
