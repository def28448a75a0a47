import { randomUUID } from 'node:crypto';
import { generate } from 'otplib';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { uniqueEmail } from '../e2e/support/accounts';
import { eventually, sleep } from '../e2e/support/polling';
import { useTestApp } from '../e2e/support/test-app';
import { launchChromium } from './support/chromium';

const PASSWORD = 'correct horse battery';
const STEP_SECONDS = 30;
const RECOVERY_CODE = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{10}$/;
const WRONG_CODE_MESSAGE = 'Invalid two-factor code.';

const stepAt = (ms: number) => Math.floor(ms / 1000 / STEP_SECONDS);
const codeFor = (secret: string, step: number) => generate({ secret, epoch: step * STEP_SECONDS });

/**
 * The authenticator app of the test, from the key the page shows. The service accepts a code
 * within one step of its clock, once: the step it was made for, and every earlier one, is refused
 * afterwards. So each code is for the step after the last one given, which may be the next step
 * (accepted already); one further ahead waits until it comes within reach.
 */
class Authenticator {
  private lastStep = -Infinity;

  constructor(private readonly secret: string) {}

  async nextCode(): Promise<string> {
    const step = Math.max(stepAt(Date.now()), this.lastStep + 1);
    const reachableAtMs = (step - 1) * STEP_SECONDS * 1000;
    if (Date.now() < reachableAtMs) await sleep(reachableAtMs - Date.now());
    this.lastStep = step;
    return codeFor(this.secret, step);
  }

  /** Six digits that no step the service may accept now gives: surely a wrong code. */
  async wrongCode(): Promise<string> {
    const now = stepAt(Date.now());
    const accepted = await Promise.all(
      [-1, 0, 1, 2].map((offset) => codeFor(this.secret, now + offset)),
    );
    return ['000000', '111111', '222222', '333333', '444444'].find(
      (code) => !accepted.includes(code),
    )!;
  }
}

/**
 * Two-factor authentication through the web page in a real Chromium, against the real service:
 * set up from the key the page shows, with codes the test computes as an authenticator app would;
 * the recovery codes shown once; the login's second step with a code or a recovery code; new
 * recovery codes; disable. The steps run in order, in one tab.
 */
describe('Web page in Chromium: two-factor authentication', () => {
  let browser: Browser;
  // Declared first, so that the browser closes before the service it talks to.
  afterAll(() => browser?.close());
  const testApp = useTestApp({
    REDIS_KEY_PREFIX: `tm-test-browser-mfa-${randomUUID()}:`,
    // Wrong codes are given on purpose, and each counts as a failed login of the email.
    LOGIN_MAX_FAILURES: '20',
  });
  let page: Page;
  let authenticator: Authenticator;
  let recoveryCodes: string[] = [];
  const email = uniqueEmail('browser-mfa');
  const problems: string[] = [];

  const text = (locator: Locator) => eventually(() => locator.innerText());
  const visible = (locator: Locator) => eventually(() => locator.isVisible());
  const count = (locator: Locator) => eventually(() => locator.count());

  const notice = () => page.locator('#notice[role="status"]');
  const loginForm = () => page.getByRole('tabpanel', { name: 'Log in' });
  const secondStep = () => page.getByRole('region', { name: 'Enter your two-factor code' });
  const twoFactor = () => page.getByRole('region', { name: 'Two-factor authentication' });
  const state = () => page.locator('#mfa-state');
  const shownRecoveryCodes = () => page.locator('#mfa-recovery-codes li');

  async function logIn(): Promise<void> {
    await loginForm().getByLabel('Email').fill(email);
    await loginForm().getByLabel('Password').fill(PASSWORD);
    await loginForm().getByRole('button', { name: 'Log in' }).click();
  }

  async function logOut(): Promise<void> {
    await page.getByRole('button', { name: 'Log out' }).click();
    await visible(loginForm()).toBe(true);
  }

  async function giveSecondFactor(field: 'code' | 'recoveryCode', value: string): Promise<void> {
    await page.locator(`#second-factor-${field}`).fill(value);
    await secondStep().getByRole('button', { name: 'Verify' }).click();
  }

  /** Opens the page in a tab of the browser context, its errors collected as problems. */
  async function openTab(context: BrowserContext, url: string): Promise<Page> {
    const tab = await context.newPage();
    tab.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    tab.on('console', (message) => {
      // Chromium logs the requests the API refuses (a wrong code, a dead sign-in, a state
      // changed in another tab): expected.
      if (message.type() === 'error' && !/status of 40[019]/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    await tab.goto(url);
    return tab;
  }

  beforeAll(async () => {
    const baseUrl = await testApp.listen();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    page = await openTab(context, `${baseUrl}/`);
  });

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  it('registers, and shows two-factor authentication off', async () => {
    await page.getByRole('tab', { name: 'Register' }).click();
    const form = page.getByRole('tabpanel', { name: 'Register' });
    await form.getByLabel('First name').fill('Ada');
    await form.getByLabel('Last name').fill('Lovelace');
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Create account' }).click();
    await text(page.locator('#account-email')).toBe(email);
    await visible(twoFactor()).toBe(true);
    await text(state()).toBe('Off');
    await visible(twoFactor().getByRole('button', { name: 'Set up' })).toBe(true);
  });

  it('sets up with the password, shows the QR code and the key, and turns on with a first code', async () => {
    await twoFactor().getByRole('button', { name: 'Set up' }).click();
    const password = page.locator('#mfa-setup-password');
    const proceed = twoFactor().getByRole('button', { name: 'Continue' });
    await password.fill('not the password');
    await proceed.click();
    await text(page.locator('#mfa-setup-password-error')).toBe('Password is incorrect.');

    await password.fill(PASSWORD);
    await proceed.click();
    const qrCode = twoFactor().getByRole('img', { name: /QR code/ });
    await visible(qrCode).toBe(true);
    // Rendered from the service's SVG, under the page's Content-Security-Policy.
    expect(
      await page.evaluate("document.querySelector('#mfa-qr img').naturalWidth"),
    ).toBeGreaterThan(0);
    const key = await page.locator('#mfa-secret').innerText();
    expect(key).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/);
    authenticator = new Authenticator(key.replaceAll(' ', ''));

    const code = twoFactor().getByRole('textbox', { name: 'Code from the app', exact: true });
    const turnOn = twoFactor().getByRole('button', { name: 'Turn on' });
    await code.fill(await authenticator.wrongCode());
    await turnOn.click();
    await text(page.locator('#mfa-enable-code-error')).toBe(WRONG_CODE_MESSAGE);
    await text(state()).toBe('Off');

    await code.fill(await authenticator.nextCode());
    await turnOn.click();
    await text(notice()).toBe('Two-factor authentication enabled.');
    await text(state()).toBe('On');
    await visible(qrCode).toBe(false);
  });

  it('shows the ten recovery codes once, copies them, and hides them with "Done"', async () => {
    await count(shownRecoveryCodes()).toBe(10);
    recoveryCodes = await shownRecoveryCodes().allInnerTexts();
    for (const code of recoveryCodes) expect(code).toMatch(RECOVERY_CODE);
    expect(new Set(recoveryCodes).size).toBe(10);
    // Until "Done", the codes are the one thing to do.
    await visible(twoFactor().getByRole('button', { name: 'Disable' })).toBe(false);

    await twoFactor().getByRole('button', { name: 'Copy' }).click();
    await text(page.locator('#mfa-recovery-status')).toBe('Copied.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(recoveryCodes.join('\n'));

    await twoFactor().getByRole('button', { name: 'Done' }).click();
    await count(shownRecoveryCodes()).toBe(0);
    await visible(twoFactor().getByRole('button', { name: 'Disable' })).toBe(true);
    await visible(twoFactor().getByRole('button', { name: 'New recovery codes' })).toBe(true);
  });

  it('asks for the second factor after the password, and shows the error for a wrong code', async () => {
    await logOut();
    await logIn();
    await visible(secondStep()).toBe(true);
    await visible(loginForm()).toBe(false);
    // No session until the second factor is given.
    await visible(page.locator('#account')).toBe(false);
    expect(await page.evaluate('localStorage.length')).toBe(0);

    await giveSecondFactor('code', await authenticator.wrongCode());
    await text(page.locator('#second-factor-code-error')).toBe(WRONG_CODE_MESSAGE);
    expect(await page.locator('#second-factor-code').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate('document.activeElement.id')).toBe('second-factor-code');
  });

  it('logs in with the next code from the app, showing two-factor authentication on', async () => {
    await giveSecondFactor('code', await authenticator.nextCode());
    await text(page.locator('#account-email')).toBe(email);
    await visible(secondStep()).toBe(false);
    await text(state()).toBe('On');
  });

  it('logs out, and logs in with a recovery code instead; that code works once only', async () => {
    await logOut();
    await logIn();
    await secondStep().getByRole('button', { name: 'Use a recovery code' }).click();
    await visible(page.locator('#second-factor-code')).toBe(false);
    await giveSecondFactor('recoveryCode', recoveryCodes[0]);
    await text(page.locator('#account-email')).toBe(email);

    await logOut();
    await logIn();
    // Each second step starts with the app's code.
    await visible(page.locator('#second-factor-code')).toBe(true);
    await secondStep().getByRole('button', { name: 'Use a recovery code' }).click();
    await giveSecondFactor('recoveryCode', recoveryCodes[0]);
    await text(page.locator('#second-factor-recoveryCode-error')).toBe(WRONG_CODE_MESSAGE);
  });

  it('goes back to the first step, with the API’s message, once wrong codes end the sign-in', async () => {
    await secondStep().getByRole('button', { name: 'Back to log in' }).click();
    await logIn();
    for (let wrong = 1; wrong <= 5; wrong += 1) {
      await giveSecondFactor('code', await authenticator.wrongCode());
      await text(page.locator('#second-factor-code-error')).toBe(WRONG_CODE_MESSAGE);
    }
    // Five wrong codes were the last this sign-in takes.
    await giveSecondFactor('code', await authenticator.wrongCode());
    await visible(loginForm()).toBe(true);
    await visible(secondStep()).toBe(false);
    await text(page.locator('#login-form-error')).toBe(
      'Two-factor sign-in expired. Please log in again.',
    );
    expect(await loginForm().getByLabel('Email').inputValue()).toBe(email);
  });

  it('makes new recovery codes for a code from the app; the old ones stop working', async () => {
    await logIn();
    await secondStep().getByRole('button', { name: 'Use a recovery code' }).click();
    // Any letter case, as the contract says: the page passes the code as typed.
    await giveSecondFactor('recoveryCode', recoveryCodes[1].toLowerCase());
    await text(page.locator('#account-email')).toBe(email);

    await twoFactor().getByRole('button', { name: 'New recovery codes' }).click();
    // The last code given was for the next step: this one waits until the step after is in reach.
    await page.locator('#mfa-renew-code').fill(await authenticator.nextCode());
    await twoFactor().getByRole('button', { name: 'Make new codes' }).click();
    await text(notice()).toBe('New recovery codes made: the old ones no longer work.');
    await count(shownRecoveryCodes()).toBe(10);
    const oldCodes = recoveryCodes;
    recoveryCodes = await shownRecoveryCodes().allInnerTexts();
    for (const code of recoveryCodes) expect(oldCodes).not.toContain(code);
    await twoFactor().getByRole('button', { name: 'Done' }).click();

    await twoFactor().getByRole('button', { name: 'Disable' }).click();
    await page.locator('#mfa-disable-password').fill(PASSWORD);
    await page.locator('#mfa-disable-code').fill(oldCodes[2]);
    await twoFactor().getByRole('button', { name: 'Turn off' }).click();
    await text(page.locator('#mfa-disable-code-error')).toBe(WRONG_CODE_MESSAGE);
    await text(state()).toBe('On');
  }, 70_000);

  it('disables with the password and a recovery code; the next login needs the password only', async () => {
    await page.locator('#mfa-disable-code').fill(recoveryCodes[0]);
    await twoFactor().getByRole('button', { name: 'Turn off' }).click();
    await text(notice()).toBe('Two-factor authentication disabled.');
    await text(state()).toBe('Off');
    await visible(twoFactor().getByRole('button', { name: 'Set up' })).toBe(true);

    await logOut();
    await logIn();
    await text(page.locator('#account-email')).toBe(email);
    await visible(secondStep()).toBe(false);
    await text(state()).toBe('Off');
  });

  it('follows a change made in another tab: setting up where it is already on shows it on', async () => {
    // A second tab of the browser shares the session, and shows the state it loaded.
    const otherTab = await openTab(page.context(), page.url());
    await text(otherTab.locator('#mfa-state')).toBe('Off');

    await twoFactor().getByRole('button', { name: 'Set up' }).click();
    await page.locator('#mfa-setup-password').fill(PASSWORD);
    await twoFactor().getByRole('button', { name: 'Continue' }).click();
    await visible(page.locator('#mfa-qr img')).toBe(true);
    const key = (await page.locator('#mfa-secret').innerText()).replaceAll(' ', '');
    await page.locator('#mfa-enable-code').fill(await new Authenticator(key).nextCode());
    await twoFactor().getByRole('button', { name: 'Turn on' }).click();
    await text(state()).toBe('On');

    await otherTab.getByRole('button', { name: 'Set up' }).click();
    await otherTab.locator('#mfa-setup-password').fill(PASSWORD);
    await otherTab.getByRole('button', { name: 'Continue' }).click();
    await text(otherTab.locator('#mfa-state')).toBe('On');
    await text(otherTab.locator('#notice')).toBe('Two-factor authentication is already enabled.');
    expect(await otherTab.locator('#notice').getAttribute('data-tone')).toBe('error');
    await visible(otherTab.locator('#mfa-setup-form')).toBe(false);
    await otherTab.close();
  });
});
