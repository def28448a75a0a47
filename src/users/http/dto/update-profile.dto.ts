import { OptionalNotNull } from '../../../common/validation';
import { NameField } from './user-fields';

export class UpdateProfileDto {
  @OptionalNotNull()
  @NameField('Ada', false)
  firstName?: string;

  @OptionalNotNull()
  @NameField('Lovelace', false)
  lastName?: string;
}
