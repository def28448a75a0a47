import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { OutgoingMail } from './outgoing-mail';

const LAYOUT_FILE = join(__dirname, 'templates', 'layout.html');
/** `{{> linkButton label="…"}}`: the one call to action of a mail, its `link` as a button. */
const LINK_BUTTON_FILE = join(__dirname, 'templates', 'link-button.html');
const SUBJECT_LINE = /^Subject: (.+)\r?\n\r?\n/;

interface CompiledMail {
  readonly subject: Handlebars.TemplateDelegate;
  readonly text: Handlebars.TemplateDelegate;
  readonly html: Handlebars.TemplateDelegate;
}

/**
 * The mails of one module, kept as files beside it: `<name>.txt` (a `Subject: …` line, a blank
 * line, then the text) and `<name>.html` (the body, set in the one shared layout, its link drawn
 * by the shared `linkButton` partial). Compiled once, at start; a template that names a variable
 * the caller does not give fails loudly (`strict`), and HTML escapes every value.
 */
export class MailTemplates {
  private readonly mails = new Map<string, CompiledMail>();

  constructor(dir: string) {
    const handlebars = Handlebars.create();
    handlebars.registerPartial('linkButton', readFileSync(LINK_BUTTON_FILE, 'utf8'));
    const layout = handlebars.compile(readFileSync(LAYOUT_FILE, 'utf8'), { strict: true });
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.txt'))) {
      const name = file.slice(0, -'.txt'.length);
      const source = readFileSync(join(dir, file), 'utf8');
      const subject = SUBJECT_LINE.exec(source);
      if (!subject) throw new Error(`Mail template ${file} must start with a "Subject: …" line`);
      const plain = { strict: true, noEscape: true };
      const title = handlebars.compile(subject[1], { strict: true });
      const body = handlebars.compile(readFileSync(join(dir, `${name}.html`), 'utf8'), {
        strict: true,
      });
      this.mails.set(name, {
        subject: handlebars.compile(subject[1], plain),
        text: handlebars.compile(source.slice(subject[0].length), plain),
        html: (variables) => layout({ title: title(variables), body: body(variables) }),
      });
    }
  }

  render(name: string, to: string, variables: Record<string, string>): OutgoingMail {
    const mail = this.mails.get(name);
    if (!mail) throw new Error(`No mail template named ${name}`);
    return {
      to,
      subject: mail.subject(variables),
      text: mail.text(variables),
      html: mail.html(variables),
    };
  }
}
