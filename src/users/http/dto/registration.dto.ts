import { EmailField, NameField, NewPasswordField } from './user-fields';

/** A new account's fields: used by `POST /auth/register` and by the CLI's `create-admin`. */
export class RegistrationDto {
  @NameField('Ada')
  firstName!: string;

  @NameField('Lovelace')
  lastName!: string;

  @EmailField()
  email!: string;

  @NewPasswordField()
  password!: string;
}
