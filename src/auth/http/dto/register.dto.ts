import { EmailField, NameField, NewPasswordField } from '../../../users';

export class RegisterDto {
  @NameField('Ada')
  firstName!: string;

  @NameField('Lovelace')
  lastName!: string;

  @EmailField()
  email!: string;

  @NewPasswordField()
  password!: string;
}
