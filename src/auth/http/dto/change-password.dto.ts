import { CurrentPasswordField, NewPasswordField } from '../../../users';

export class ChangePasswordDto {
  @CurrentPasswordField()
  currentPassword!: string;

  @NewPasswordField()
  newPassword!: string;
}
