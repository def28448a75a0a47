import { CursorField, PageQuery } from '../../../common/pagination';

export class ListUsersQuery extends PageQuery {
  @CursorField(512)
  cursor?: string;
}
