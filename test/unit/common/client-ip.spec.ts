import type { FastifyRequest } from 'fastify';
import { clientAddressKey, clientIp } from '../../../src/common/http';

/** A request as Fastify hands it over, with the address it resolved. */
const from = (ip: string) => ({ ip }) as FastifyRequest;

describe('clientIp', () => {
  it.each([
    ['an IPv4 address', '203.0.113.7', '203.0.113.7'],
    ['an IPv4-mapped IPv6 address', '::ffff:203.0.113.7', '203.0.113.7'],
    ['an IPv4-mapped IPv6 address in hex', '::FFFF:cb00:7107', '203.0.113.7'],
    ['an IPv6 address in long form', '2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['an IPv6 address with a zone id', 'fe80::1%eth0', 'fe80::1'],
    [
      'an IPv6 address with a 200-character zone id',
      `2001:db8::7%${'z'.repeat(200)}`,
      '2001:db8::7',
    ],
    ['the IPv6 loopback', '::1', '::1'],
  ])('normalizes %s', (_case, ip, expected) => {
    expect(clientIp(from(ip))).toBe(expected);
  });

  it.each([
    ['garbage', 'x'.repeat(200)],
    ['an empty address', ''],
    ['an IPv4 address with a zone id', '203.0.113.7%eth0'],
    ['an IPv4 address with leading zeros', '203.0.113.07'],
  ])('answers null for %s', (_case, ip) => {
    expect(clientIp(from(ip))).toBeNull();
  });
});

describe('clientAddressKey', () => {
  it('keys an IPv4 caller by its address, an IPv4-mapped one included', () => {
    expect(clientAddressKey(from('203.0.113.7'))).toBe('203.0.113.7');
    expect(clientAddressKey(from('::ffff:203.0.113.7'))).toBe('203.0.113.7');
  });

  it('keys every address of one IPv6 /64 alike, and another /64 apart', () => {
    const keys = [
      '2001:db8:1:2::1',
      '2001:DB8:1:2:ffff:ffff:ffff:ffff',
      '2001:db8:1:2::9%eth0',
    ].map((ip) => clientAddressKey(from(ip)));
    expect(keys).toEqual(['2001:db8:1:2::/64', '2001:db8:1:2::/64', '2001:db8:1:2::/64']);
    expect(clientAddressKey(from('2001:db8:1:3::1'))).toBe('2001:db8:1:3::/64');
    expect(clientAddressKey(from('::1'))).toBe('::/64');
    expect(clientAddressKey(from('1:2:3:4:5:6:7:8'))).toBe('1:2:3:4::/64');
  });

  it('puts callers with no usable address under one key', () => {
    expect(clientAddressKey(from('not an address'))).toBe('unknown');
  });
});
