import type { Api, TotpSetup } from './api.js';
import { byId, element } from './dom.js';
import { asApiError, clearErrors, notify, onSubmit } from './forms.js';

/** The panel's forms; each form's id is its prefix followed by `-form`. */
const FORM_PREFIXES = ['mfa-setup', 'mfa-enable', 'mfa-renew', 'mfa-disable'] as const;

/**
 * What a refusal says about the account's state, when it was changed elsewhere (another tab or
 * device, or an admin's reset): whether two-factor authentication is on.
 */
const STATE_OF_CONFLICT: Record<string, boolean> = {
  MFA_ALREADY_ENABLED: true,
  MFA_NOT_ENABLED: false,
  MFA_SETUP_REQUIRED: false,
};

/** The service's SVG as an image: an <img> runs no script and loads nothing, whatever it holds. */
function svgImageUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** "ABCD EFGH …": a key read by eye and typed by hand, four characters at a time. */
function inGroupsOfFour(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

/**
 * The account area's "Two-factor authentication". Off: "Set up" asks for the password, shows the
 * QR code and the key, and turns it on with a first code. The recovery codes are shown once,
 * until "Done". On: new recovery codes (for a code), or disable (password and a code).
 */
export class TwoFactorPanel {
  /** The recovery codes on screen, for "Copy"; gone with "Done". */
  private shownRecoveryCodes: string[] = [];

  /** `onSessionsRevoked`: enabling and disabling end the account's other sessions. */
  constructor(
    private readonly api: Api,
    private readonly onSessionsRevoked: () => void,
  ) {}

  start(): void {
    const setupOpen = byId<HTMLButtonElement>('mfa-setup-open');
    setupOpen.addEventListener('click', () => {
      this.open(setupOpen);
      // The steps that follow replace it, until they end or are cancelled.
      setupOpen.hidden = true;
    });
    for (const id of ['mfa-renew-open', 'mfa-disable-open']) {
      const opener = byId<HTMLButtonElement>(id);
      opener.addEventListener('click', () => {
        if (opener.getAttribute('aria-expanded') === 'true') this.closeForms();
        else this.open(opener);
      });
    }
    for (const cancel of byId('mfa').querySelectorAll<HTMLElement>('[data-mfa-cancel]')) {
      cancel.addEventListener('click', () => {
        const formId = cancel.closest('form')?.id;
        this.closeForms();
        const opener = document.querySelector<HTMLElement>(`[aria-controls="${formId}"]`);
        (opener ?? byId('mfa-setup-open')).focus();
      });
    }

    onSubmit('mfa-setup-form', 'mfa-setup', ({ password }) =>
      this.inCurrentState(async () => this.showSetup(await this.api.setUpTotp(password))),
    );
    onSubmit('mfa-enable-form', 'mfa-enable', ({ code }) =>
      this.inCurrentState(async () => {
        const { message, recoveryCodes } = await this.api.enableTotp(code);
        this.show(true);
        this.showRecoveryCodes(recoveryCodes);
        notify(message);
        this.onSessionsRevoked();
      }),
    );
    onSubmit('mfa-renew-form', 'mfa-renew', ({ code }) =>
      this.inCurrentState(async () => {
        const { recoveryCodes } = await this.api.renewRecoveryCodes(code);
        this.show(true);
        this.showRecoveryCodes(recoveryCodes);
        notify('New recovery codes made: the old ones no longer work.');
      }),
    );
    onSubmit('mfa-disable-form', 'mfa-disable', ({ password, code }) =>
      this.inCurrentState(async () => {
        const { message } = await this.api.disableTotp(password, code);
        this.show(false);
        notify(message);
        byId('mfa-setup-open').focus();
        this.onSessionsRevoked();
      }),
    );

    byId('mfa-recovery-copy').addEventListener('click', () => void this.copyRecoveryCodes());
    byId('mfa-recovery-done').addEventListener('click', () => {
      this.show(true);
      byId('mfa-renew-open').focus();
    });
  }

  /** Shows the account's state with every form closed, and no key or recovery code left shown. */
  show(enabled: boolean): void {
    const state = byId('mfa-state');
    state.textContent = enabled ? 'On' : 'Off';
    state.dataset.state = enabled ? 'on' : 'off';
    byId('mfa-off').hidden = enabled;
    byId('mfa-on').hidden = !enabled;
    this.closeForms();
    this.hideRecoveryCodes();
  }

  /** Opens the form its button controls, alone, and focuses its first field. */
  private open(opener: HTMLButtonElement): void {
    this.closeForms();
    const form = byId<HTMLFormElement>(opener.getAttribute('aria-controls')!);
    opener.setAttribute('aria-expanded', 'true');
    form.hidden = false;
    form.querySelector('input')?.focus();
  }

  private closeForms(): void {
    for (const prefix of FORM_PREFIXES) {
      const form = byId<HTMLFormElement>(`${prefix}-form`);
      form.hidden = true;
      form.reset();
      clearErrors(form, prefix);
    }
    for (const opener of byId('mfa').querySelectorAll('[aria-expanded]')) {
      opener.setAttribute('aria-expanded', 'false');
    }
    byId('mfa-setup-open').hidden = false;
    byId('mfa-qr').replaceChildren();
    byId('mfa-secret').textContent = '';
  }

  /** The second step of the setup: the key to add to the app, and a field for its first code. */
  private showSetup({ secret, qrSvg }: TotpSetup): void {
    byId('mfa-setup-form').hidden = true;
    byId('mfa-qr').replaceChildren(
      element('img', {
        attributes: {
          src: svgImageUrl(qrSvg),
          alt: 'QR code of the key, for your authenticator app',
        },
      }),
    );
    byId('mfa-secret').textContent = inGroupsOfFour(secret);
    byId('mfa-enable-form').hidden = false;
    // The heading first, so that the instructions are read before the field.
    byId('mfa-enable-heading').focus();
  }

  private showRecoveryCodes(codes: string[]): void {
    this.shownRecoveryCodes = codes;
    byId('mfa-recovery-codes').replaceChildren(
      ...codes.map((code) => element('li', {}, element('code', { text: code }))),
    );
    byId('mfa-recovery-status').textContent = '';
    // "Done" brings the other actions back: the codes are not to be missed.
    byId('mfa-on').hidden = true;
    byId('mfa-recovery').hidden = false;
    byId('mfa-recovery-heading').focus();
  }

  private hideRecoveryCodes(): void {
    this.shownRecoveryCodes = [];
    byId('mfa-recovery-codes').replaceChildren();
    byId('mfa-recovery-status').textContent = '';
    byId('mfa-recovery').hidden = true;
  }

  private async copyRecoveryCodes(): Promise<void> {
    const status = byId('mfa-recovery-status');
    try {
      // Missing outside a secure context, and refused without the browser's permission.
      await navigator.clipboard.writeText(this.shownRecoveryCodes.join('\n'));
      status.dataset.tone = 'ok';
      status.textContent = 'Copied.';
    } catch {
      getSelection()?.selectAllChildren(byId('mfa-recovery-codes'));
      status.dataset.tone = 'warn';
      status.textContent =
        'Copying is not available here: the codes are selected, copy them with Ctrl+C (⌘C on a Mac).';
    }
  }

  /**
   * Runs an action; when the service says the state changed elsewhere, shows the state as it is
   * now, with the service's message, instead of an error in a form that no longer applies.
   */
  private async inCurrentState(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      const enabled = STATE_OF_CONFLICT[asApiError(error).code];
      if (enabled === undefined) throw error;
      this.show(enabled);
      notify(asApiError(error).message, 'error');
    }
  }
}
