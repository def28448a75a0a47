export { CursorCodec, type CursorFormat, epochCursor, isoTimeCursor } from './cursor-codec';
export { CursorField, PageQuery } from './page.query';
export type { PagePosition } from './page-position';
export { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from './page-size';
