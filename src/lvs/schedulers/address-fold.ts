/**
 * The 32-bit key IPVS hashes an address with: an IPv4 address as a host-order number, an IPv6
 * address as the XOR of its four 32-bit words (ip_vs_sh.c / ip_vs_dh.c / ip_vs_mh.c all fold
 * the same way). Unparseable text folds to 0 rather than throwing: a scheduler must never crash
 * on a request.
 */
export function addressFold(address: string): number {
  if (address.includes(':')) return ipv6Fold(address);
  return ipv4Number(address) ?? 0;
}

export function ipv4Number(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value >>> 0;
}

/** The 8 16-bit groups of an IPv6 address (with `::` and a trailing dotted quad), or undefined. */
export function ipv6Groups(text: string): number[] | undefined {
  let body = text;
  const zone = body.indexOf('%');
  if (zone >= 0) body = body.slice(0, zone);
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    // An embedded dotted quad is two more hex groups.
    const v4 = ipv4Number(body.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    body = `${body.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  if (!head) return undefined;
  if (halves.length === 1) {
    const all = head;
    return all.length === 8 ? all : undefined;
  }
  const rest = parse(halves[1]!);
  if (!rest) return undefined;
  const missing = 8 - head.length - rest.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...rest];
}

function ipv6Fold(text: string): number {
  const g = ipv6Groups(text);
  if (!g) return 0;
  let fold = 0;
  for (let i = 0; i < 8; i += 2) fold ^= ((g[i]! << 16) | g[i + 1]!) >>> 0;
  return fold >>> 0;
}
