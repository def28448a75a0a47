/** What an account may do: an admin also manages accounts and deletes anyone's message. */
export const ROLES = ['user', 'admin'] as const;

export type Role = (typeof ROLES)[number];
