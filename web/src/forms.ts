/** The page's forms: the API's errors shown in place, and how an account action went. */
import { ApiError } from './api.js';
import { byId } from './dom.js';

/** Which form field an error code belongs to, when the API names none: the first the form has. */
const FIELDS_OF_CODE: Record<string, string[]> = {
  EMAIL_TAKEN: ['email', 'newEmail'],
  INVALID_CREDENTIALS: ['password'],
  WRONG_PASSWORD: ['password'],
  MFA_CODE_INVALID: ['code', 'recoveryCode'],
};

/** Says how an account action went, in the status region under the header. */
export function notify(text: string, tone: 'ok' | 'error' = 'ok'): void {
  const notice = byId('notice');
  notice.dataset.tone = tone;
  notice.textContent = text;
}

export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', 'Something went wrong.');
}

/** A field that takes part in the form's submission: present, and not disabled. */
function isInUse(form: HTMLFormElement, name: string): boolean {
  const input = form.elements.namedItem(name);
  return input !== null && !(input instanceof HTMLInputElement && input.disabled);
}

/** Puts the API's messages next to their fields (or under the form), and focuses the first. */
function showErrors(form: HTMLFormElement, prefix: string, error: unknown): void {
  clearErrors(form, prefix);
  const apiError = asApiError(error);
  const fields = { ...apiError.fields };
  const field = FIELDS_OF_CODE[apiError.code]?.find((name) => isInUse(form, name));
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

export function clearErrors(form: HTMLFormElement, prefix: string): void {
  for (const slot of form.querySelectorAll('.field-error')) slot.textContent = '';
  for (const input of form.querySelectorAll('[aria-invalid]'))
    input.removeAttribute('aria-invalid');
  byId(`${prefix}-form-error`).textContent = '';
}

/**
 * Runs a form's submission with its button disabled, and its errors shown in place. What the
 * action returns, if anything, goes in the form's status line.
 */
export function onSubmit(
  formId: string,
  prefix: string,
  action: (values: Record<string, string>, form: HTMLFormElement) => Promise<string | void>,
): void {
  const form = byId<HTMLFormElement>(formId);
  const status = document.getElementById(`${prefix}-form-status`);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (button) button.disabled = true;
    clearErrors(form, prefix);
    // A new try: what the last one said is no longer news.
    notify('');
    if (status) status.textContent = '';
    try {
      const values = Object.fromEntries(
        [...new FormData(form).entries()].map(([name, value]) => [name, String(value)]),
      );
      const outcome = await action(values, form);
      if (status && outcome) status.textContent = outcome;
    } catch (error) {
      showErrors(form, prefix, error);
    } finally {
      if (button) button.disabled = false;
    }
  });
}
