import { type Api, ApiError, type SecurityEvent } from './api.js';
import { byId, element, formatDateTime } from './dom.js';

const PAGE_SIZE = 10;

/** What each audited event means to the account's owner. */
const EVENT_NAMES: Record<string, string> = {
  'user.registered': 'Account created',
  'login.succeeded': 'Logged in',
  'login.failed': 'Failed login',
  'token.refreshed': 'Session renewed',
  'refresh.reused': 'Session ended: an old token was reused',
  logout: 'Logged out',
  'logout.all': 'Logged out everywhere',
  'session.ended': 'Session ended',
  'password.changed': 'Password changed',
  'password.reset': 'Password reset',
  'email.verified': 'Email verified',
  'email.changed': 'Email changed',
  'mfa.enabled': 'Two-factor authentication turned on',
  'mfa.disabled': 'Two-factor authentication turned off',
  'mfa.recovery_code_used': 'Recovery code used',
  'mfa.reset': 'Two-factor authentication reset by an admin',
  'user.disabled': 'Account disabled by an admin',
  'user.enabled': 'Account enabled by an admin',
};

/**
 * The account area's "Recent security activity": the account's audit trail, newest first, a page
 * at a time ("More" appends the next one).
 */
export class SecurityEventsPanel {
  private nextCursor: string | null = null;

  constructor(private readonly api: Api) {}

  start(): void {
    byId('security-events-more').addEventListener('click', () => void this.loadMore());
  }

  /** Reads the first page, replacing what is shown (at each sign-in). */
  async load(): Promise<void> {
    await this.read(null, (items) => byId('security-events-list').replaceChildren(...items));
  }

  clear(): void {
    this.nextCursor = null;
    byId('security-events-list').replaceChildren();
    byId('security-events-more').hidden = true;
    byId('security-events-error').textContent = '';
  }

  private async loadMore(): Promise<void> {
    const more = byId<HTMLButtonElement>('security-events-more');
    more.disabled = true;
    try {
      await this.read(this.nextCursor, (items) => {
        byId('security-events-list').append(...items);
        // Keyboard users land on the first new entry, not back at the top.
        items[0]?.focus();
      });
    } finally {
      more.disabled = false;
    }
  }

  private async read(cursor: string | null, show: (items: HTMLLIElement[]) => void): Promise<void> {
    byId('security-events-error').textContent = '';
    try {
      const page = await this.api.listSecurityEvents(PAGE_SIZE, cursor);
      show(page.items.map(renderEvent));
      this.nextCursor = page.nextCursor;
      byId('security-events-more').hidden = page.nextCursor === null;
      byId('security-events-empty').hidden = byId('security-events-list').childElementCount > 0;
    } catch (error) {
      // A 401 signs the page out; anything else is said in the panel.
      if (error instanceof ApiError && error.status !== 401) {
        byId('security-events-error').textContent = error.message;
      }
    }
  }
}

function renderEvent(event: SecurityEvent): HTMLLIElement {
  const failed = event.event === 'login.failed' || event.event === 'refresh.reused';
  return element(
    'li',
    {
      className: 'security-event',
      attributes: { 'data-event': event.event, tabindex: '-1' },
    },
    element('span', {
      className: failed ? 'security-event-name security-event-warning' : 'security-event-name',
      text: EVENT_NAMES[event.event] ?? event.event,
    }),
    element(
      'span',
      { className: 'muted' },
      element('time', { text: formatDateTime(event.at), attributes: { datetime: event.at } }),
      document.createTextNode(event.ip ? ` · ${event.ip}` : ''),
    ),
  );
}
