/**
 * Where a page ends in a listing ordered by a time, then by id; the next page starts after it.
 * `at` is that time in epoch milliseconds: a user's creation, a message's expiry.
 */
export interface PagePosition {
  readonly at: number;
  readonly id: string;
}
