import { CurrentPasswordField } from './user-fields';

export class DeleteAccountDto {
  @CurrentPasswordField()
  password!: string;
}
