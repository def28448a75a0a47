import type { Api, Message } from './api.js';
import { announce, byId, element, formatRemaining } from './dom.js';

const POLL_INTERVAL_MS = 5_000;
/** A stream that stays down this long is given up for polling, and tried again later. */
const STREAM_RETRY_MS = 30_000;
const SOON_MS = 30_000;

interface LiveMessage {
  readonly message: Message;
  /** Local clock time of expiry, from `expiresInMs`, so a skewed device clock does not matter. */
  readonly deadline: number;
  readonly item: HTMLLIElement;
  readonly countdown: HTMLTimeElement;
  readonly life: HTMLDivElement;
  readonly lifetime: number;
}

type ConnectionState = 'connecting' | 'live' | 'polling' | 'offline';

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  polling: 'Updating every few seconds',
  offline: 'Offline — retrying',
};

/**
 * The live list: loaded from GET /messages, kept current by the event stream (or by polling
 * while the stream is down), each message dropped when its time is up. Soonest to expire first.
 */
export class LiveMessages {
  private readonly messages = new Map<string, LiveMessage>();
  private readonly list = byId<HTMLOListElement>('messages');
  private stream: EventSource | null = null;
  private pollTimer: number | undefined;
  private streamRetryTimer: number | undefined;
  /** The signed-in user's id, to offer "Delete" on their own messages. */
  private viewerId: string | null = null;

  constructor(private readonly api: Api) {}

  start(): void {
    this.openStream();
    window.setInterval(() => this.tick(), 1000);
    void this.reload();
  }

  setViewer(userId: string | null): void {
    this.viewerId = userId;
    for (const live of this.messages.values()) this.renderActions(live);
  }

  /** Shows a message the page itself posted at once, without waiting for its event. */
  add(message: Message): void {
    this.upsert(message, false);
  }

  private openStream(): void {
    this.setConnection('connecting');
    const stream = new EventSource('/messages/stream');
    this.stream = stream;
    // On every (re)open the list is read again: whatever happened while away is caught up.
    stream.addEventListener('open', () => {
      this.stopPolling();
      this.setConnection('live');
      void this.reload();
    });
    stream.addEventListener('message.created', (event) => {
      this.upsert(JSON.parse((event as MessageEvent<string>).data) as Message, true);
    });
    stream.addEventListener('message.deleted', (event) => {
      this.remove((JSON.parse((event as MessageEvent<string>).data) as { id: string }).id);
    });
    // The server cannot replay what this page missed: the list, read again, has it all.
    stream.addEventListener('resync', () => void this.reload());
    stream.addEventListener('error', () => {
      this.startPolling();
      // A refused stream (503 or 429 past a cap) is not retried by the browser: try again later.
      if (stream.readyState === EventSource.CLOSED) {
        window.clearTimeout(this.streamRetryTimer);
        this.streamRetryTimer = window.setTimeout(() => this.openStream(), STREAM_RETRY_MS);
      }
    });
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined) return;
    this.setConnection('polling');
    this.pollTimer = window.setInterval(() => void this.reload(), POLL_INTERVAL_MS);
  }

  private stopPolling(): void {
    window.clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  private async reload(): Promise<void> {
    try {
      const { items } = await this.api.listMessages();
      const listed = new Set(items.map((message) => message.id));
      for (const id of [...this.messages.keys()]) if (!listed.has(id)) this.remove(id);
      for (const message of items) this.upsert(message, false);
      if (this.stream?.readyState !== EventSource.OPEN && this.pollTimer === undefined) {
        this.startPolling();
      }
    } catch {
      if (this.stream?.readyState !== EventSource.OPEN) this.setConnection('offline');
    }
    this.renderCount();
  }

  private upsert(message: Message, isNew: boolean): void {
    if (this.messages.has(message.id) || message.expiresInMs <= 0) return;
    const countdown = element('time', { className: 'message-countdown' });
    countdown.dateTime = message.expiresAt;
    const life = element('div', {
      className: 'message-life',
      attributes: { 'aria-hidden': 'true' },
    });
    const item = element(
      'li',
      { className: 'message', attributes: { 'data-message-id': message.id } },
      element(
        'div',
        { className: 'message-head' },
        element('span', { className: 'message-author', text: message.email }),
        countdown,
      ),
      element('p', { className: 'message-text', text: message.message }),
      life,
    );
    const live: LiveMessage = {
      message,
      deadline: Date.now() + message.expiresInMs,
      item,
      countdown,
      life,
      lifetime: Math.max(1, Date.parse(message.expiresAt) - Date.parse(message.createdAt)),
    };
    this.messages.set(message.id, live);
    this.renderActions(live);
    this.renderTime(live, Date.now());
    this.insertInOrder(live);
    this.renderCount();
    if (isNew) announce(`New message from ${message.email}: ${message.message}`);
  }

  private remove(id: string): void {
    const live = this.messages.get(id);
    if (!live) return;
    live.item.remove();
    this.messages.delete(id);
    this.renderCount();
  }

  /** Soonest to expire first, ties by id: the order of GET /messages. */
  private insertInOrder(live: LiveMessage): void {
    const after = [...this.messages.values()]
      .filter((other) => other !== live && other.item.isConnected)
      .sort(byExpiry)
      .find((other) => byExpiry(live, other) < 0);
    this.list.insertBefore(live.item, after?.item ?? null);
  }

  private tick(): void {
    const now = Date.now();
    for (const live of [...this.messages.values()]) {
      if (live.deadline <= now) this.remove(live.message.id);
      else this.renderTime(live, now);
    }
  }

  private renderTime(live: LiveMessage, now: number): void {
    const left = live.deadline - now;
    live.countdown.textContent = `${formatRemaining(left)} left`;
    live.countdown.dataset.soon = String(left <= SOON_MS);
    live.life.style.transform = `scaleX(${Math.min(1, left / live.lifetime)})`;
    live.life.style.width = '100%';
  }

  private renderActions(live: LiveMessage): void {
    live.item.querySelector('.message-actions')?.remove();
    if (!this.viewerId || live.message.userId !== this.viewerId) return;
    const button = element('button', {
      className: 'button button-danger',
      text: 'Delete',
      attributes: {
        type: 'button',
        'aria-label': `Delete your message “${live.message.message.slice(0, 40)}”`,
      },
    });
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await this.api.deleteMessage(live.message.id);
        this.remove(live.message.id);
        announce('Message deleted.');
      } catch {
        button.disabled = false;
      }
    });
    live.item.insertBefore(element('div', { className: 'message-actions' }, button), live.life);
  }

  private renderCount(): void {
    const count = this.messages.size;
    byId('messages-count').textContent = count === 1 ? '1 message' : `${count} messages`;
    byId('messages-empty').hidden = count > 0;
  }

  private setConnection(state: ConnectionState): void {
    const indicator = byId('connection');
    indicator.dataset.state = state;
    byId('connection-text').textContent = CONNECTION_TEXT[state];
  }
}

function byExpiry(a: LiveMessage, b: LiveMessage): number {
  const difference = Date.parse(a.message.expiresAt) - Date.parse(b.message.expiresAt);
  return difference || (a.message.id < b.message.id ? -1 : 1);
}
