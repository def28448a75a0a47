export {
  CodePointLength,
  MaxUtf8Bytes,
  NoControlCharacters,
  NoNulCharacter,
  OptionalNotNull,
  Trim,
  TrimLowercase,
} from './string-rules';
export { canonicalUuid, isUuid } from './uuid';
