// Which IP addresses an image URL may reach: public unicast only. Written as "what is refused"
// for IPv4 and "what is allowed" (global unicast 2000::/3, minus special blocks) for IPv6, where
// the embedded-IPv4 forms (IPv4-mapped, NAT64, 6to4) are judged by the IPv4 address inside.
import net from 'node:net';

const IPV4_REFUSED: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'this-network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved / broadcast'],
];

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

const IPV4_RANGES = IPV4_REFUSED.map(([base, bits, label]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { net: (ipv4ToInt(base) & mask) >>> 0, mask, label };
});

function ipv4Refusal(value: number): string | undefined {
  for (const range of IPV4_RANGES) {
    if (((value & range.mask) >>> 0) === range.net) return `${range.label} address`;
  }
  return undefined;
}

/** 16 bytes of an IPv6 address (zone id ignored), or undefined when it does not parse. */
export function parseIpv6(address: string): number[] | undefined {
  let text = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (net.isIPv6(text) === false) return undefined;
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const v = ipv4ToInt(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - headParts.length - tailParts.length).fill('0');
  const groups = [...headParts, ...fill, ...tailParts].map((g) => parseInt(g, 16));
  if (groups.length !== 8) return undefined;
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function ipv6Refusal(bytes: number[]): string | undefined {
  const startsWith = (...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
  const v4At = (i: number) => ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
  const zeros = (n: number) => bytes.slice(0, n).every((b) => b === 0);
  if (zeros(10) && bytes[10] === 0xff && bytes[11] === 0xff) {
    const inner = ipv4Refusal(v4At(12));
    return inner && `IPv4-mapped ${inner}`;
  }
  if (zeros(12)) return 'unspecified, loopback or IPv4-compatible address';
  if (startsWith(0x00, 0x64, 0xff, 0x9b) && bytes.slice(4, 12).every((b) => b === 0)) {
    const inner = ipv4Refusal(v4At(12));
    return inner && `NAT64 ${inner}`;
  }
  if (startsWith(0x20, 0x02)) {
    const inner = ipv4Refusal(v4At(2));
    return inner && `6to4 ${inner}`;
  }
  const first = bytes[0]!;
  if ((first & 0xfe) === 0xfc) return 'unique-local address';
  if (first === 0xfe && (bytes[1]! & 0xc0) === 0x80) return 'link-local address';
  if (first === 0xff) return 'multicast address';
  if ((first & 0xe0) !== 0x20) return 'not a global unicast address';
  if (startsWith(0x20, 0x01, 0x0d, 0xb8)) return 'documentation address';
  if (startsWith(0x20, 0x01) && bytes[2] === 0 && bytes[3]! < 0x02) return 'IETF special-purpose address (Teredo, ORCHID…)';
  if (first === 0x3f && bytes[1]! >= 0xf0) return 'documentation address';
  return undefined;
}

/** Why `address` may not be fetched from, or undefined when it is public unicast. */
export function publicAddressError(address: string): string | undefined {
  const family = net.isIP(address.replace(/%.*$/, ''));
  if (family === 4) return ipv4Refusal(ipv4ToInt(address));
  if (family === 6) {
    const bytes = parseIpv6(address);
    return bytes ? ipv6Refusal(bytes) : 'unparseable IPv6 address';
  }
  return 'not an IP address';
}

export function isPublicAddress(address: string): boolean {
  return publicAddressError(address) === undefined;
}
