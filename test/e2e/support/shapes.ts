/** The fields of `user` in every answer, sorted (API.md: "Shapes are exact"). */
export const USER_FIELDS = [
  'createdAt',
  'email',
  'emailVerifiedAt',
  'firstName',
  'id',
  'lastName',
  'mfaEnabled',
  'role',
];

/** What the admin routes answer: `user` and `disabledAt`. */
export const ADMIN_USER_FIELDS = [...USER_FIELDS, 'disabledAt'].sort();
