import { randomUUID } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { uniqueEmail } from '../e2e/support/accounts';
import { linkToken, type ReceivedMail, TestMailServer } from '../e2e/support/mail-server';
import type { TestApp } from '../e2e/support/test-app';
import { startAppAtPublicUrl } from './support/app-at-public-url';
import { launchChromium } from './support/chromium';
import { eventually } from '../e2e/support/polling';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

/**
 * Accounts by email as a person meets them: the page in Chromium, the service on a loopback port
 * whose PUBLIC_URL is its own address, and a real SMTP server that catches the mails. Each link
 * is opened exactly as mailed; the steps of a block run in order, in one tab.
 */
describe('Web page in Chromium: accounts by email', () => {
  let mailServer: TestMailServer;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mailServer = await TestMailServer.start();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await mailServer?.close();
  });

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  /**
   * For the enclosing block: the service, mailing through the test server, and the page open in a
   * fresh browser context; both started in a beforeAll and closed in an afterAll.
   */
  function useServiceInBrowser(overrides: Record<string, string> = {}) {
    let testApp: TestApp | undefined;
    let baseUrl = '';
    let openPage: Page | undefined;
    const visit = {
      get page(): Page {
        if (!openPage) throw new Error('The page is open from its beforeAll to its afterAll only');
        return openPage;
      },
      /** The link to `landing` in a mail, checked to point at this service. */
      linkIn(mail: ReceivedMail, landing: string): string {
        const link = `${baseUrl}/${landing}#token=${linkToken(mail, landing)}`;
        expect(mail.text).toContain(link);
        return link;
      },
      /** Opens the link to `landing` in a mail: the page acts on it and drops it from the address. */
      async follow(mail: ReceivedMail, landing: string): Promise<void> {
        await visit.page.goto(visit.linkIn(mail, landing));
        await eventually(async () => visit.page.url()).toBe(`${baseUrl}/`);
      },
    };
    beforeAll(async () => {
      ({ testApp, baseUrl } = await startAppAtPublicUrl({
        SMTP_URL: mailServer.url,
        REDIS_KEY_PREFIX: `tm-test-browser-mail-${randomUUID()}:`,
        ...overrides,
      }));
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const page = await context.newPage();
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        // Chromium logs the requests the API refuses (a used link, a wrong password): expected.
        if (message.type() === 'error' && !/status of 40[013]/.test(message.text())) {
          problems.push(`console: ${message.text()}`);
        }
      });
      await page.goto(`${baseUrl}/`);
      openPage = page;
    });
    afterAll(async () => {
      await openPage?.context().close();
      await testApp?.close();
    });
    return visit;
  }

  const text = (locator: Locator) => eventually(() => locator.innerText());
  const visible = (locator: Locator) => eventually(() => locator.isVisible());
  const value = (locator: Locator) => eventually(() => locator.inputValue());

  /** The status region under the header where the page says how an account action went. */
  const notice = (page: Page) => page.locator('#notice[role="status"]');
  const banner = (page: Page) => page.locator('#verify-banner');
  const loginForm = (page: Page) => page.getByRole('tabpanel', { name: 'Log in' });

  async function register(page: Page, email: string): Promise<void> {
    await page.getByRole('tab', { name: 'Register' }).click();
    const form = page.getByRole('tabpanel', { name: 'Register' });
    await form.getByLabel('First name').fill('Ada');
    await form.getByLabel('Last name').fill('Lovelace');
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Create account' }).click();
  }

  async function logIn(page: Page, email: string, password: string): Promise<void> {
    await loginForm(page).getByLabel('Email').fill(email);
    await loginForm(page).getByLabel('Password').fill(password);
    await loginForm(page).getByRole('button', { name: 'Log in' }).click();
  }

  describe('with verification optional (the default)', () => {
    const visit = useServiceInBrowser();
    const email = uniqueEmail('browser-mail');
    const newEmail = uniqueEmail('browser-mail-new');

    it('registers and signs in, with a banner asking to verify the address', async () => {
      const { page } = visit;
      await register(page, email);
      await text(page.locator('#account-email')).toBe(email);
      await text(banner(page)).toContain('Verify your address: we sent you a link.');
      visit.linkIn(await mailServer.waitForMail(email), 'verify-email');
    });

    it('mails the link again from the banner', async () => {
      const { page } = visit;
      await banner(page).getByRole('button', { name: 'Resend' }).click();
      await text(notice(page)).toBe('Verification email sent.');
      await mailServer.waitForMail(email, 2);
    });

    it('verifies from the mailed link: says so, drops the token from the address, and the banner goes', async () => {
      const { page } = visit;
      await visit.follow(mailServer.mailsTo(email)[1], 'verify-email');
      await text(notice(page)).toBe('Email verified.');
      await text(page.locator('#account-email')).toBe(email);
      await visible(banner(page)).toBe(false);
      expect(page.url()).not.toContain('token');
    });

    it('says a used link is invalid', async () => {
      const { page } = visit;
      await visit.follow(mailServer.mailsTo(email)[1], 'verify-email');
      await text(notice(page)).toBe('This link is invalid or has expired.');
      expect(await notice(page).getAttribute('data-tone')).toBe('error');
    });

    it('changes the email from the account area, once confirmed from the new address', async () => {
      const { page } = visit;
      const form = page.getByRole('region', { name: 'Change email' });
      await form.getByLabel('New email').fill(newEmail);
      await form.getByLabel('Current password').fill('not the password');
      await form.getByRole('button', { name: 'Change email' }).click();
      await text(page.locator('#email-password-error')).toBe('Password is incorrect.');

      await form.getByLabel('Current password').fill(PASSWORD);
      await form.getByRole('button', { name: 'Change email' }).click();
      await text(page.locator('#email-form-status')).toBe('Confirmation sent to the new address.');
      await visit.follow(await mailServer.waitForMail(newEmail), 'confirm-email');
      await text(notice(page)).toBe('Email changed.');
      await text(page.locator('#account-email')).toBe(newEmail);
    });

    it('logs out, and mails a reset link from "Forgot password?"', async () => {
      const { page } = visit;
      await page.getByRole('button', { name: 'Log out' }).click();
      await loginForm(page).getByLabel('Email').fill(newEmail);
      await loginForm(page).getByRole('button', { name: 'Forgot password?' }).click();
      const forgot = page.getByRole('region', { name: 'Forgot your password?' });
      await visible(forgot).toBe(true);
      await visible(loginForm(page)).toBe(false);
      // The address typed for the login is carried over.
      await value(forgot.getByLabel('Email')).toBe(newEmail);
      await forgot.getByRole('button', { name: 'Send the link' }).click();
      await text(page.locator('#forgot-form-status')).toBe(
        'If an account exists for this email, a reset link was sent.',
      );
      // The confirmation came first; the reset link is the second mail to the new address.
      visit.linkIn(await mailServer.waitForMail(newEmail, 2), 'reset-password');
    });

    it('sets a new password from the mailed link, then logs in with it; the old one fails', async () => {
      const { page } = visit;
      await visit.follow(mailServer.mailsTo(newEmail)[1], 'reset-password');
      const reset = page.getByRole('region', { name: 'Choose a new password' });
      await reset.getByLabel('New password').fill('short');
      await reset.getByRole('button', { name: 'Set new password' }).click();
      await text(page.locator('#reset-newPassword-error')).toContain(
        'must be longer than or equal to 8 characters',
      );

      await reset.getByLabel('New password').fill(NEW_PASSWORD);
      await reset.getByRole('button', { name: 'Set new password' }).click();
      await text(notice(page)).toBe('Password reset. Please log in.');
      await visible(reset).toBe(false);
      await visible(loginForm(page)).toBe(true);

      await logIn(page, newEmail, PASSWORD);
      await text(page.locator('#login-password-error')).toBe('Invalid email or password.');
      await logIn(page, newEmail, NEW_PASSWORD);
      await text(page.locator('#account-email')).toBe(newEmail);
      await visible(banner(page)).toBe(false);
    });
  });

  describe('with EMAIL_VERIFICATION=required', () => {
    const visit = useServiceInBrowser({ EMAIL_VERIFICATION: 'required' });
    const email = uniqueEmail('browser-mail-required');

    it('registers, says to check the mail, and stays on the login form', async () => {
      const { page } = visit;
      await register(page, email);
      await text(notice(page)).toBe('Registered. Check your email to verify your address.');
      await visible(loginForm(page)).toBe(true);
      await value(loginForm(page).getByLabel('Email')).toBe(email);
      await visible(page.locator('#account')).toBe(false);
      expect(await page.evaluate('localStorage.length')).toBe(0);
    });

    it('refuses the login until the address is verified from the mailed link', async () => {
      const { page } = visit;
      await logIn(page, email, PASSWORD);
      await text(page.locator('#login-form-error')).toContain('Verify your email address');

      await visit.follow(await mailServer.waitForMail(email), 'verify-email');
      await text(notice(page)).toBe('Email verified.');
      await logIn(page, email, PASSWORD);
      await text(page.locator('#account-email')).toBe(email);
      await visible(banner(page)).toBe(false);
    });
  });
});
