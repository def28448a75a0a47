import { Api, ApiError, type SecondFactor, type User } from './api.js';
import { announce, byId, element, formatDateTime } from './dom.js';
import { asApiError, clearErrors, notify, onSubmit } from './forms.js';
import { LiveMessages } from './live-messages.js';
import { type MailedLink, takeMailedLink } from './mailed-link.js';
import { SecurityEventsPanel } from './security-events.js';
import { TwoFactorPanel } from './two-factor.js';

// Before anything else, so that a mailed link's token leaves the address bar at once.
const mailedLink = takeMailedLink();
const api = new Api();
const messages = new LiveMessages(api);
const twoFactor = new TwoFactorPanel(api, () => void loadSessions());
const securityEvents = new SecurityEventsPanel(api);
let signedInUser: User | null = null;
/** The token of the reset link the page was opened from, until the new password is set. */
let resetToken = '';
/** The token of a login waiting for its second factor, until it is given or given up. */
let mfaToken = '';

/**
 * Signed out, the first column shows one of these: log in or register, the login's second
 * factor, forgot, or reset.
 */
const ACCESS_PANELS = ['auth', 'second-factor', 'forgot', 'reset'] as const;

function showAccessPanel(shown: (typeof ACCESS_PANELS)[number] | null): void {
  for (const panel of ACCESS_PANELS) byId(panel).hidden = panel !== shown;
}

function showSignedIn(user: User): void {
  signedInUser = user;
  showAccessPanel(null);
  byId('composer').hidden = false;
  byId('sessions').hidden = false;
  byId('email-change').hidden = false;
  byId('mfa').hidden = false;
  byId('security-events').hidden = false;
  twoFactor.show(user.mfaEnabled);
  byId('account').hidden = false;
  byId('account-email').textContent = user.email;
  byId('verify-banner').hidden = user.emailVerifiedAt !== null;
  messages.setViewer(user.id);
  void loadSessions();
  void securityEvents.load();
}

function showSignedOut(): void {
  signedInUser = null;
  forgetSecondStep();
  selectTab(byId('tab-login'));
  showAccessPanel('auth');
  byId('composer').hidden = true;
  byId('sessions').hidden = true;
  byId('email-change').hidden = true;
  byId('mfa').hidden = true;
  byId('security-events').hidden = true;
  securityEvents.clear();
  // Nothing secret (a setup's key, recovery codes) stays in the page.
  twoFactor.show(false);
  byId('account').hidden = true;
  byId('account-email').textContent = '';
  byId('verify-banner').hidden = true;
  byId('sessions-list').replaceChildren();
  messages.setViewer(null);
}

const authTabs = () => [byId('tab-login'), byId('tab-register')];

function selectTab(chosen: HTMLElement): void {
  for (const tab of authTabs()) {
    const selected = tab === chosen;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    byId(tab.getAttribute('aria-controls')!).hidden = !selected;
  }
}

function setupTabs(): void {
  const tabs = authTabs();
  for (const tab of tabs) {
    tab.addEventListener('click', () => selectTab(tab));
    // Arrow keys move between tabs, as in any tab list.
    tab.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      const next = tabs[(tabs.indexOf(tab) + 1) % tabs.length];
      selectTab(next);
      next.focus();
    });
  }
}

function loggedIn(user: User): void {
  byId<HTMLFormElement>('login-form').reset();
  showSignedIn(user);
  announce(`Logged in as ${user.email}.`);
}

/** The second step asks for a code from the app, or, switched, for a recovery code. */
let usingRecoveryCode = false;

function useRecoveryCode(chosen: boolean): void {
  usingRecoveryCode = chosen;
  for (const [name, shown] of [
    ['code', !chosen],
    ['recoveryCode', chosen],
  ] as const) {
    byId(`second-factor-${name}-field`).hidden = !shown;
    // Disabled, the other field is left out of the submission.
    byId<HTMLInputElement>(`second-factor-${name}`).disabled = !shown;
  }
  byId('second-factor-switch').textContent = chosen
    ? 'Use a code from the app'
    : 'Use a recovery code';
}

function forgetSecondStep(): void {
  mfaToken = '';
  const form = byId<HTMLFormElement>('second-factor-form');
  form.reset();
  clearErrors(form, 'second-factor');
  useRecoveryCode(false);
}

/** The second step's token is dead (expired, used, too many wrong codes): log in again. */
function backToFirstStep(message: string): void {
  forgetSecondStep();
  showAccessPanel('auth');
  selectTab(byId('tab-login'));
  byId('login-form-error').textContent = message;
  byId('login-password').focus();
}

function setupSecondFactor(): void {
  byId('second-factor-switch').addEventListener('click', () => {
    clearErrors(byId<HTMLFormElement>('second-factor-form'), 'second-factor');
    useRecoveryCode(!usingRecoveryCode);
    byId(usingRecoveryCode ? 'second-factor-recoveryCode' : 'second-factor-code').focus();
  });
  onSubmit('second-factor-form', 'second-factor', async ({ code, recoveryCode }) => {
    const factor: SecondFactor = usingRecoveryCode ? { recoveryCode } : { code };
    let user: User;
    try {
      user = await api.verifySecondFactor(mfaToken, factor);
    } catch (error) {
      const apiError = asApiError(error);
      if (apiError.code !== 'MFA_TOKEN_INVALID') throw error;
      backToFirstStep(apiError.message);
      return;
    }
    forgetSecondStep();
    loggedIn(user);
  });
}

function setupAuth(): void {
  setupTabs();
  setupSecondFactor();
  onSubmit('login-form', 'login', async ({ email, password }) => {
    const login = await api.login(email, password);
    if ('user' in login) {
      loggedIn(login.user);
      return;
    }
    mfaToken = login.mfaToken;
    // The email stays, for a new first step should this one expire.
    byId<HTMLInputElement>('login-password').value = '';
    showAccessPanel('second-factor');
    byId('second-factor-code').focus();
  });
  onSubmit('register-form', 'register', async (values, form) => {
    const { message, user, signedIn } = await api.register({
      firstName: values.firstName,
      lastName: values.lastName,
      email: values.email,
      password: values.password,
    });
    form.reset();
    if (signedIn) {
      showSignedIn(user);
      announce(`Welcome, ${user.firstName}. You are registered and logged in.`);
      return;
    }
    // The address must be verified first: the login waits for the mailed link.
    selectTab(byId('tab-login'));
    byId<HTMLInputElement>('login-email').value = user.email;
    byId('login-password').focus();
    notify(message);
  });
  byId('logout').addEventListener('click', async () => {
    notify('');
    await api.logout().catch(() => undefined);
    announce('Logged out.');
  });
}

/** Forgot password, the reset link's form, the verification banner and the email change. */
function setupAccountEmail(): void {
  byId('forgot-open').addEventListener('click', () => {
    // The address typed for the login, if any, is the one to reset.
    byId<HTMLInputElement>('forgot-email').value = byId<HTMLInputElement>('login-email').value;
    notify('');
    showAccessPanel('forgot');
    byId('forgot-email').focus();
  });
  for (const button of document.querySelectorAll('[data-back-to-login]')) {
    button.addEventListener('click', () => {
      resetToken = '';
      forgetSecondStep();
      showAccessPanel(signedInUser ? null : 'auth');
      if (!signedInUser) byId('login-email').focus();
    });
  }
  onSubmit('forgot-form', 'forgot', async ({ email }) => (await api.forgotPassword(email)).message);
  onSubmit('reset-form', 'reset', async ({ newPassword }, form) => {
    const { message } = await api.resetPassword(resetToken, newPassword);
    resetToken = '';
    form.reset();
    // The reset ended every session of the account: the next step is a login.
    if (signedInUser) await api.logout().catch(() => undefined);
    showSignedOut();
    notify(message);
    byId('login-email').focus();
  });
  const resend = byId<HTMLButtonElement>('verify-resend');
  resend.addEventListener('click', async () => {
    resend.disabled = true;
    try {
      notify((await api.requestVerification()).message);
    } catch (error) {
      const apiError = asApiError(error);
      // Verified meanwhile (from another tab or device): nothing is left to ask for.
      const verified = apiError.code === 'EMAIL_ALREADY_VERIFIED';
      byId('verify-banner').hidden = verified;
      notify(apiError.message, verified ? 'ok' : 'error');
    } finally {
      resend.disabled = false;
    }
  });
  onSubmit('email-form', 'email', async ({ newEmail, password }, form) => {
    const { message } = await api.changeEmail(newEmail, password);
    form.reset();
    return message;
  });
}

/** Verifies the address, or confirms the new one, with the token of the link the page came from. */
async function followAddressLink({ page, token }: MailedLink): Promise<void> {
  notify(page === '/verify-email' ? 'Verifying your address…' : 'Confirming your new address…');
  try {
    const { message } =
      page === '/verify-email' ? await api.verifyEmail(token) : await api.confirmEmailChange(token);
    notify(message);
  } catch (error) {
    notify(asApiError(error).message, 'error');
  }
}

function openResetForm(token: string): void {
  resetToken = token;
  showAccessPanel('reset');
  byId('reset-newPassword').focus();
}

function setupComposer(): void {
  const text = byId<HTMLTextAreaElement>('post-message');
  const count = byId('post-count');
  const counter = byId('post-counter');
  // The textarea's maxlength is the API's limit: a unit test pins it to the messages domain.
  const maxLength = text.maxLength;
  byId('post-limit').textContent = String(maxLength);
  const updateCounter = () => {
    // Code points, as the API counts them.
    const length = [...text.value.trim()].length;
    count.textContent = String(length);
    counter.dataset.nearLimit = String(length > maxLength * 0.9);
  };
  text.addEventListener('input', updateCounter);
  text.addEventListener('keydown', (event) => {
    // Ctrl/Cmd+Enter posts, as in most chat boxes.
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      byId<HTMLFormElement>('post-form').requestSubmit();
    }
  });
  onSubmit('post-form', 'post', async ({ message, ttlSeconds }, form) => {
    const posted = await api.postMessage(message, Number(ttlSeconds));
    messages.add(posted);
    (form.elements.namedItem('message') as HTMLTextAreaElement).value = '';
    updateCounter();
    announce('Message posted.');
  });
}

async function loadSessions(): Promise<void> {
  const list = byId('sessions-list');
  byId('sessions-error').textContent = '';
  try {
    const { items } = await api.listSessions();
    list.replaceChildren(...items.map(renderSession));
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401) {
      byId('sessions-error').textContent = error.message;
    }
  }
}

function renderSession(session: {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}): HTMLLIElement {
  const agent = describeAgent(session.userAgent);
  const name = element('span', { className: 'session-agent', text: agent });
  if (session.current) name.append(element('span', { className: 'badge', text: 'this browser' }));
  const button = element('button', {
    className: 'button button-danger',
    text: 'End',
    attributes: {
      type: 'button',
      'aria-label': `End session ${agent}, started ${formatDateTime(session.createdAt)}`,
    },
  });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api.endSession(session.id);
      announce('Session ended.');
      if (session.current) api.forget();
      else await loadSessions();
    } catch (error) {
      button.disabled = false;
      if (error instanceof ApiError) byId('sessions-error').textContent = error.message;
    }
  });
  return element(
    'li',
    { className: 'session', attributes: { 'data-session-id': session.id } },
    element(
      'div',
      {},
      name,
      element('p', {
        className: 'muted',
        text: `Since ${formatDateTime(session.createdAt)} · last used ${formatDateTime(session.lastUsedAt)}${session.ip ? ` · ${session.ip}` : ''}`,
      }),
    ),
    button,
  );
}

/** "Chrome on Linux" from a user agent string; the raw string when nothing matches. */
function describeAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : null;
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  return browser && system ? `${browser} on ${system}` : userAgent.slice(0, 60);
}

async function resume(): Promise<void> {
  const user = await api.resume().catch(() => null);
  if (user) showSignedIn(user);
  else showSignedOut();
}

async function start(): Promise<void> {
  api.onSignedOut = showSignedOut;
  api.onSignedInElsewhere = () => void resume();
  setupAuth();
  setupAccountEmail();
  twoFactor.start();
  securityEvents.start();
  setupComposer();
  byId('sessions-refresh').addEventListener('click', () => void loadSessions());
  messages.start();
  const resetLink = mailedLink?.page === '/reset-password' ? mailedLink : null;
  // Before the session resumes, so that the account shows as the address link left it.
  if (mailedLink && !resetLink) await followAddressLink(mailedLink);
  await resume();
  // After it, so that the form takes the first column whatever the resume showed.
  if (resetLink) openResetForm(resetLink.token);
}

void start();
