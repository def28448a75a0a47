import { ServiceUnavailableError, TranslateErrors } from '../../../src/common/errors';

const OUTAGE = new Error('driver outage');

/** Turns OUTAGE into ServiceUnavailableError, like a driver's translator. */
const translate = (error: unknown) =>
  error === OUTAGE ? new ServiceUnavailableError(undefined, { cause: error }) : error;

@TranslateErrors(translate)
class Adapter {
  constructor(private readonly failure?: unknown) {}

  async read(): Promise<string> {
    if (this.failure) throw this.failure;
    return this.value();
  }

  count(): number {
    if (this.failure) throw this.failure;
    return 1;
  }

  private value(): string {
    return 'value';
  }
}

describe('TranslateErrors', () => {
  it('translates what an async method rejects with', async () => {
    await expect(new Adapter(OUTAGE).read()).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('translates what a plain method throws', () => {
    expect(() => new Adapter(OUTAGE).count()).toThrow(ServiceUnavailableError);
  });

  it('lets other failures through unchanged', async () => {
    const bug = new TypeError('a bug');
    await expect(new Adapter(bug).read()).rejects.toBe(bug);
    expect(() => new Adapter(bug).count()).toThrow(bug);
  });

  it('leaves results, `this` and method names as they were', async () => {
    const adapter = new Adapter();
    await expect(adapter.read()).resolves.toBe('value');
    expect(adapter.count()).toBe(1);
    expect(Adapter.prototype.read.name).toBe('read');
  });
});
