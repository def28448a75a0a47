import { Module } from '@nestjs/common';
import { UsersService } from './application/users.service';
import { PasswordHasher } from './domain/password-hasher';
import { UserRepository } from './domain/user.repository';
import { UsersController } from './http/users.controller';
import { BcryptPasswordHasher } from './infrastructure/bcrypt-password.hasher';
import { TypeOrmUserRepository } from './infrastructure/typeorm-user.repository';

@Module({
  controllers: [UsersController],
  providers: [
    UsersService,
    { provide: UserRepository, useClass: TypeOrmUserRepository },
    { provide: PasswordHasher, useClass: BcryptPasswordHasher },
  ],
  exports: [UsersService],
})
export class UsersModule {}
