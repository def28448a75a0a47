import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { bearer, login, uniqueEmail } from '../e2e/support/accounts';
import { eventually } from '../e2e/support/polling';
import { useTestApp } from '../e2e/support/test-app';
import { launchChromium } from './support/chromium';

const PASSWORD = 'correct horse battery';
const SCREENSHOT = 'test-results/main-screen.png';

/**
 * A person's journey through the web page in a real Chromium, against the real service on a
 * loopback port. The steps run in order and share the browser, like one visit would.
 * A 3-second access token makes the page go through its refresh-and-retry along the way.
 */
describe('Web page in Chromium', () => {
  let browser: Browser;
  // Declared first, so that the browser closes before the service it talks to.
  afterAll(() => browser?.close());
  const testApp = useTestApp({
    REDIS_KEY_PREFIX: `tm-test-browser-${randomUUID()}:`,
    ACCESS_TOKEN_TTL: '3',
  });
  let baseUrl: string;
  let ada: { context: BrowserContext; page: Page };
  let other: { context: BrowserContext; page: Page };
  const email = uniqueEmail('browser');
  const problems: string[] = [];

  async function openPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // Refused requests (a wrong password, an expired token) are logged by Chromium: expected.
      if (message.type() === 'error' && !/status of 40[01]/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    await page.goto(`${baseUrl}/`);
    await attribute(page.locator('#connection'), 'data-state').toBe('live');
    return { context, page };
  }

  const text = (locator: Locator) => eventually(() => locator.innerText());
  const attribute = (locator: Locator, name: string) =>
    eventually(() => locator.getAttribute(name));
  const count = (locator: Locator, timeoutMs?: number) =>
    eventually(() => locator.count(), timeoutMs);
  const visible = (locator: Locator) => eventually(() => locator.isVisible());

  const loginForm = (page: Page) => page.getByRole('tabpanel', { name: 'Log in' });
  const registerForm = (page: Page) => page.getByRole('tabpanel', { name: 'Register' });
  const messageItem = (page: Page, text: string) =>
    page.locator('#messages .message').filter({ hasText: text });

  async function logIn(page: Page, password: string): Promise<void> {
    await loginForm(page).getByLabel('Email').fill(email);
    await loginForm(page).getByLabel('Password').fill(password);
    await loginForm(page).getByRole('button', { name: 'Log in' }).click();
  }

  async function post(page: Page, text: string, ttl = '300'): Promise<void> {
    await page.getByLabel('Message', { exact: true }).fill(text);
    await page.getByLabel('Vanishes after').selectOption(ttl);
    await page.getByRole('button', { name: 'Post' }).click();
  }

  beforeAll(async () => {
    baseUrl = await testApp.listen();
    browser = await launchChromium();
    ada = await openPage();
    other = await openPage();
  });

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  it('registers, and shows the composer and the sessions', async () => {
    const { page } = ada;
    await page.getByRole('tab', { name: 'Register' }).click();
    const form = registerForm(page);
    await form.getByLabel('First name').fill('Ada');
    await form.getByLabel('Last name').fill('Lovelace');
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Create account' }).click();
    await text(page.locator('#register-password-error')).toContain('password must be longer');
    await attribute(form.getByLabel('Password'), 'aria-invalid').toBe('true');

    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Create account' }).click();
    await text(page.locator('#account-email')).toBe(email);
    await visible(page.getByLabel('Message', { exact: true })).toBe(true);
    await count(page.locator('#sessions-list .session')).toBe(1);
  });

  it('logs out', async () => {
    const { page } = ada;
    await page.getByRole('button', { name: 'Log out' }).click();
    await visible(loginForm(page)).toBe(true);
    await visible(page.locator('#account')).toBe(false);
    expect(await page.evaluate('localStorage.length')).toBe(0);
  });

  it('shows the API’s error next to the password for a wrong password', async () => {
    const { page } = ada;
    await logIn(page, 'not the password');
    await text(page.locator('#login-password-error')).toBe('Invalid email or password.');
    expect(await page.evaluate('document.activeElement.id')).toBe('login-password');
  });

  it('logs in, and stays logged in across a reload', async () => {
    const { page } = ada;
    await logIn(page, PASSWORD);
    await text(page.locator('#account-email')).toBe(email);
    await page.reload();
    await text(page.locator('#account-email')).toBe(email);
  });

  it('lists the account’s security events, newest first, the failed login among them', async () => {
    const events = ada.page.locator('#security-events-list .security-event');
    await count(events.filter({ hasText: 'Account created' })).toBe(1);
    const order = await events.evaluateAll((items) =>
      items.map((item) => item.getAttribute('data-event')),
    );
    expect(order).toContain('login.succeeded');
    expect(order.indexOf('login.succeeded')).toBeLessThan(order.indexOf('login.failed'));
    expect(order.at(-1)).toBe('user.registered');
    const failed = events.filter({ hasText: 'Failed login' });
    await text(failed).toContain('127.0.0.1');
    await visible(ada.page.getByRole('button', { name: 'More' })).toBe(false);
  });

  it('posts a message that another browser sees at once, without reloading', async () => {
    await post(ada.page, 'Hello from the first browser');
    const seen = messageItem(other.page, 'Hello from the first browser');
    await visible(seen).toBe(true);
    await text(seen.locator('.message-author')).toBe(email);
    await text(seen.locator('.message-countdown')).toMatch(/^[45]:\d\d left$/);
    await text(ada.page.locator('#post-count')).toBe('0');
  });

  it('counts characters as they are typed', async () => {
    await ada.page.getByLabel('Message', { exact: true }).fill('12345');
    await text(ada.page.locator('#post-count')).toBe('5');
    await ada.page.getByLabel('Message', { exact: true }).fill('');
  });

  it('lists soonest to expire first, and drops a message when it expires', async () => {
    // Posted through the API, for a lifetime shorter than the form offers.
    const { accessToken } = await login(testApp, email, PASSWORD);
    await testApp.http
      .post('/messages')
      .set(bearer(accessToken))
      .send({ message: 'Gone in three seconds', ttlSeconds: 3 })
      .expect(201);
    await testApp.http.post('/auth/logout').set(bearer(accessToken)).expect(200);
    for (const { page } of [ada, other]) {
      await text(page.locator('#messages .message-text').first()).toBe('Gone in three seconds');
    }
    for (const { page } of [ada, other]) {
      await count(messageItem(page, 'Gone in three seconds'), 6000).toBe(0);
    }
    await visible(messageItem(other.page, 'Hello from the first browser')).toBe(true);
  });

  it('renders a message with markup as text, and runs none of it', async () => {
    // By now the 3-second access token has expired: this post goes through a refresh and a retry.
    const markup = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">';
    await post(ada.page, markup);
    for (const { page } of [ada, other]) {
      await text(messageItem(page, 'window.pwned').locator('.message-text')).toBe(markup);
      expect(await page.locator('#messages script, #messages img').count()).toBe(0);
      expect(await page.evaluate('window.pwned')).toBeUndefined();
    }
    mkdirSync('test-results', { recursive: true });
    await ada.page.screenshot({ path: SCREENSHOT, animations: 'disabled' });
  });

  it('ends another session from the sessions list, which signs that browser out', async () => {
    await logIn(other.page, PASSWORD);
    await text(other.page.locator('#account-email')).toBe(email);

    const { page } = ada;
    await page.getByRole('button', { name: 'Refresh' }).click();
    const sessions = page.locator('#sessions-list .session');
    await count(sessions).toBe(2);
    const otherSession = sessions.filter({ hasNot: page.locator('.badge') });
    await otherSession.getByRole('button', { name: /^End session/ }).click();
    await count(sessions).toBe(1);

    // The other browser's next call is refused and it falls back to the login form.
    await post(other.page, 'Should not be posted');
    await visible(loginForm(other.page)).toBe(true);
    await count(messageItem(ada.page, 'Should not be posted')).toBe(0);
  });
});
