import { KEY_NAMESPACES } from '../../../src/common/redis';

describe('KEY_NAMESPACES', () => {
  const prefixes = Object.values(KEY_NAMESPACES).map(({ prefix }) => prefix);

  it.each(prefixes)('gives %s a namespace no other one starts with or extends', (prefix) => {
    const overlapping = prefixes.filter(
      (other) => other !== prefix && (other.startsWith(prefix) || prefix.startsWith(other)),
    );
    expect(overlapping).toEqual([]);
  });
});
