/** Every list route's `limit`: the page it gets without one, and the most it may ask for. */
export const PAGE_SIZE_DEFAULT = 100;
export const PAGE_SIZE_MAX = 500;
