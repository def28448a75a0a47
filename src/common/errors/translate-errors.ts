/**
 * Class decorator for an adapter: every method's failure passes through `translate` on its way
 * out, so a driver's outage leaves the adapter as `ServiceUnavailableError` and callers branch
 * on the type. One line per adapter instead of a try/catch in each of its methods.
 */
export function TranslateErrors(translate: (error: unknown) => unknown): ClassDecorator {
  return (target) => {
    const prototype = target.prototype as object;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      if (name === 'constructor' || typeof descriptor?.value !== 'function') continue;
      const method = descriptor.value as (...args: unknown[]) => unknown;
      Object.defineProperty(prototype, name, {
        ...descriptor,
        value: translating(method, translate),
      });
    }
  };
}

function translating(
  method: (...args: unknown[]) => unknown,
  translate: (error: unknown) => unknown,
): (...args: unknown[]) => unknown {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    let result: unknown;
    try {
      result = method.apply(this, args);
    } catch (error) {
      throw translate(error);
    }
    return result instanceof Promise
      ? result.catch((error: unknown) => Promise.reject(translate(error)))
      : result;
  };
  // Stack traces and logs keep naming the adapter's method.
  Object.defineProperty(wrapper, 'name', { value: method.name });
  return wrapper;
}
