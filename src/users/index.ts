export type { CredentialCheck, RegistrationInput } from './application/users.service';
export { UsersService } from './application/users.service';
export { AccountEmailService } from './application/account-email.service';
export type { UserAccount } from './application/user-account';
export { normalizeEmail } from './domain/email';
export { emailAddressKey } from './application/email-address-key';
export type {
  AccessRevocation,
  AccessRevocationReason,
  UserLifecycleListener,
} from './application/user-lifecycle.listener';
export {
  EmailField,
  NameField,
  NewPasswordField,
  CurrentPasswordField,
} from './http/dto/user-fields';
export { RegistrationDto } from './http/dto/registration.dto';
export { CallerAccount } from './http/caller-account.decorator';
export {
  AdminUserResponseDto,
  toAdminUserResponse,
  toUserResponse,
  UserResponseDto,
} from './http/dto/user.response';
export { UsersModule } from './users.module';
