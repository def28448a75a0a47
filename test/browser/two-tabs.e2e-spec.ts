import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { bearer, login, registerAccount, type TestAccount } from '../e2e/support/accounts';
import { eventually, sleep } from '../e2e/support/polling';
import { useTestApp } from '../e2e/support/test-app';
import { launchChromium } from './support/chromium';

/** Past a 2-second access token and the service's 1-second leeway. */
const ACCESS_EXPIRY_MS = 3500;
const TEST_TIMEOUT_MS = 60_000;

/**
 * Two tabs of one user in one browser share its session. With a 2-second access token both must
 * refresh, often at the same moment, and neither may log the other out: the refresh token one tab
 * rotates away must never reach the service as reuse from the other.
 */
describe('Web page in Chromium: two tabs of one user', () => {
  let browser: Browser;
  // Declared first, so that the browser closes before the service it talks to.
  afterAll(() => browser?.close());
  const testApp = useTestApp({
    REDIS_KEY_PREFIX: `tm-test-browser-tabs-${randomUUID()}:`,
    ACCESS_TOKEN_TTL: '2s',
  });
  let baseUrl: string;
  const problems: string[] = [];

  const text = (locator: Locator) => eventually(() => locator.innerText());
  const count = (locator: Locator) => eventually(() => locator.count());
  const messageItem = (page: Page, text: string) =>
    page.locator('#messages .message').filter({ hasText: text });

  async function openTab(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // The expired access tokens are refused (401) on the way: expected.
      if (message.type() === 'error' && !/status of 401/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    await page.goto(`${baseUrl}/`);
    return page;
  }

  async function post(page: Page, text: string): Promise<void> {
    await page.getByLabel('Message', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Post' }).click();
  }

  /** Logs in in a first tab and opens a second one, which joins the session. */
  async function twoSignedInTabs(context: BrowserContext, account: TestAccount): Promise<Page[]> {
    const first = await openTab(context);
    const form = first.getByRole('tabpanel', { name: 'Log in' });
    await form.getByLabel('Email').fill(account.email);
    await form.getByLabel('Password').fill(account.password);
    await form.getByRole('button', { name: 'Log in' }).click();
    await text(first.locator('#account-email')).toBe(account.email);
    const second = await openTab(context);
    await text(second.locator('#account-email')).toBe(account.email);
    return [first, second];
  }

  /** Both tabs post at once, past an access token's expiry, and both stay signed in. */
  async function postFromBothAcrossExpiries(tabs: Page[], account: TestAccount): Promise<void> {
    for (let round = 0; round < 3; round++) {
      await sleep(ACCESS_EXPIRY_MS);
      const texts = tabs.map((_, tab) => `Round ${round} from tab ${tab} ${randomUUID()}`);
      await Promise.all(tabs.map((page, tab) => post(page, texts[tab])));
      for (const page of tabs) {
        for (const posted of texts) await count(messageItem(page, posted)).toBe(1);
        await text(page.locator('#account-email')).toBe(account.email);
      }
    }
    // Still one live session, listed in each tab as its own.
    await sleep(ACCESS_EXPIRY_MS);
    const current: (string | null)[] = [];
    for (const page of tabs) {
      await page.getByRole('button', { name: 'Refresh' }).click();
      const own = page.locator('#sessions-list .session').filter({ has: page.locator('.badge') });
      await count(own).toBe(1);
      current.push(await own.getAttribute('data-session-id'));
    }
    expect(current[1]).toBe(current[0]);
    const { accessToken } = await login(testApp, account.email, account.password);
    const sessions = await testApp.http.get('/auth/sessions').set(bearer(accessToken)).expect(200);
    expect(sessions.body.items.map((item: { id: string }) => item.id)).toContain(current[0]);
  }

  /**
   * Holds each refresh until the other tab's arrives (or 2 s pass), so that both tabs present the
   * same refresh token at once. Returns the tokens presented, in order.
   */
  async function refreshTogether(context: BrowserContext): Promise<string[]> {
    const presented: string[] = [];
    let waiting: (() => void)[] = [];
    await context.route('**/auth/refresh', async (route) => {
      presented.push((route.request().postDataJSON() as { refreshToken: string }).refreshToken);
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === 2) {
          for (const release of waiting.splice(0)) release();
        } else {
          setTimeout(() => {
            waiting = waiting.filter((release) => release !== resolve);
            resolve();
          }, 2000);
        }
      });
      await route.continue();
    });
    return presented;
  }

  beforeAll(async () => {
    baseUrl = await testApp.listen();
    browser = await launchChromium();
  });

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  it(
    'keeps both tabs signed in across access token expiries, taking turns to refresh',
    async () => {
      const account = await registerAccount(testApp);
      const context = await browser.newContext();
      try {
        const tabs = await twoSignedInTabs(context, account);
        expect(await tabs[0].evaluate('"locks" in navigator')).toBe(true);
        await postFromBothAcrossExpiries(tabs, account);
      } finally {
        await context.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'keeps both tabs signed in without Web Locks, through the reuse interval',
    async () => {
      const account = await registerAccount(testApp);
      const context = await browser.newContext();
      try {
        await context.addInitScript('delete Navigator.prototype.locks');
        const tabs = await twoSignedInTabs(context, account);
        expect(await tabs[0].evaluate('"locks" in navigator')).toBe(false);
        const presented = await refreshTogether(context);
        await postFromBothAcrossExpiries(tabs, account);
        // The race did happen: both tabs presented one refresh token at once.
        const repeated = presented.filter((token, i) => presented.indexOf(token) !== i);
        expect(repeated.length).toBeGreaterThan(0);
      } finally {
        await context.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it('signs the other tab out when one logs out: they share one session', async () => {
    const account = await registerAccount(testApp);
    const context = await browser.newContext();
    try {
      const [first, second] = await twoSignedInTabs(context, account);
      await first.getByRole('button', { name: 'Log out' }).click();
      for (const page of [first, second]) {
        await eventually(() => page.getByRole('tabpanel', { name: 'Log in' }).isVisible()).toBe(
          true,
        );
      }
    } finally {
      await context.close();
    }
  });
});
