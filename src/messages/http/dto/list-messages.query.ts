import { CursorField, PageQuery } from '../../../common/pagination';

export class ListMessagesQuery extends PageQuery {
  @CursorField(256)
  cursor?: string;
}
