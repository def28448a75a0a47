import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_MAX_LENGTH } from '../../../src/messages/domain/message';

// The page is compiled apart from src/ and reads its limit from its own markup.
describe('the web page', () => {
  it("limits the message box to the domain's maximum length", () => {
    const html = readFileSync(join(__dirname, '../../../web/public/index.html'), 'utf8');
    const textarea = /<textarea[^>]*\bid="post-message"[^>]*>/.exec(html)?.[0] ?? '';
    expect(textarea).toContain(`maxlength="${MESSAGE_MAX_LENGTH}"`);
  });
});
