/**
 * The pages that mailed links open (`PUBLIC_URL/verify-email#token=…`): the service serves this
 * page at each of them, its WEB_PAGE_LANDINGS.
 */
const MAILED_LINK_PAGES = ['/verify-email', '/reset-password', '/confirm-email'] as const;

type MailedLinkPage = (typeof MAILED_LINK_PAGES)[number];

export interface MailedLink {
  readonly page: MailedLinkPage;
  /** Empty when the link came without one: the API then answers as for any invalid link. */
  readonly token: string;
}

function isMailedLinkPage(path: string): path is MailedLinkPage {
  return (MAILED_LINK_PAGES as readonly string[]).includes(path);
}

/**
 * The mailed link the page was opened from, or null. The token is a secret: the address goes
 * back to `/` at once, so it stays in neither the address bar nor the history.
 */
export function takeMailedLink(): MailedLink | null {
  const page = location.pathname;
  if (!isMailedLinkPage(page)) return null;
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  history.replaceState(null, '', '/');
  return { page, token };
}
