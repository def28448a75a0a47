import { Api, ApiError, type User } from './api.js';
import { announce, byId, element, formatDateTime } from './dom.js';
import { LiveMessages } from './live-messages.js';

const api = new Api();
const messages = new LiveMessages(api);

/** Which form field an error code belongs to, when the API names none. */
const FIELD_OF_CODE: Record<string, string> = {
  EMAIL_TAKEN: 'email',
  INVALID_CREDENTIALS: 'password',
};

function showSignedIn(user: User): void {
  byId('auth').hidden = true;
  byId('composer').hidden = false;
  byId('sessions').hidden = false;
  byId('account').hidden = false;
  byId('account-email').textContent = user.email;
  messages.setViewer(user.id);
  void loadSessions();
}

function showSignedOut(): void {
  selectTab(byId('tab-login'));
  byId('auth').hidden = false;
  byId('composer').hidden = true;
  byId('sessions').hidden = true;
  byId('account').hidden = true;
  byId('account-email').textContent = '';
  byId('sessions-list').replaceChildren();
  messages.setViewer(null);
}

/** Puts the API's messages next to their fields (or under the form), and focuses the first. */
function showErrors(form: HTMLFormElement, prefix: string, error: unknown): void {
  clearErrors(form, prefix);
  const apiError =
    error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', 'Something went wrong.');
  const fields = { ...apiError.fields };
  const field = FIELD_OF_CODE[apiError.code];
  if (field && !fields[field]) fields[field] = apiError.message;
  let first: HTMLElement | null = null;
  for (const [name, message] of Object.entries(fields)) {
    const input = form.elements.namedItem(name);
    const slot = document.getElementById(`${prefix}-${name}-error`);
    if (!(input instanceof HTMLElement) || !slot) continue;
    slot.textContent = message;
    input.setAttribute('aria-invalid', 'true');
    first ??= input;
  }
  if (first) first.focus();
  else byId(`${prefix}-form-error`).textContent = apiError.message;
}

function clearErrors(form: HTMLFormElement, prefix: string): void {
  for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
  for (const input of form.querySelectorAll('[aria-invalid]'))
    input.removeAttribute('aria-invalid');
  byId(`${prefix}-form-error`).textContent = '';
}

/** Runs a form's submission with its button disabled, and its errors shown in place. */
function onSubmit(
  formId: string,
  prefix: string,
  action: (values: Record<string, string>, form: HTMLFormElement) => Promise<void>,
): void {
  const form = byId<HTMLFormElement>(formId);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (button) button.disabled = true;
    clearErrors(form, prefix);
    try {
      const values = Object.fromEntries(
        [...new FormData(form).entries()].map(([name, value]) => [name, String(value)]),
      );
      await action(values, form);
    } catch (error) {
      showErrors(form, prefix, error);
    } finally {
      if (button) button.disabled = false;
    }
  });
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

function setupAuth(): void {
  setupTabs();
  onSubmit('login-form', 'login', async ({ email, password }, form) => {
    const user = await api.login(email, password);
    form.reset();
    showSignedIn(user);
    announce(`Logged in as ${user.email}.`);
  });
  onSubmit('register-form', 'register', async (values, form) => {
    const user = await api.register({
      firstName: values.firstName,
      lastName: values.lastName,
      email: values.email,
      password: values.password,
    });
    form.reset();
    showSignedIn(user);
    announce(`Welcome, ${user.firstName}. You are registered and logged in.`);
  });
  byId('logout').addEventListener('click', async () => {
    await api.logout().catch(() => undefined);
    announce('Logged out.');
  });
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
  setupComposer();
  byId('sessions-refresh').addEventListener('click', () => void loadSessions());
  messages.start();
  await resume();
}

void start();
