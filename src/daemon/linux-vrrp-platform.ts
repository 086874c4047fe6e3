/** The VrrpPlatform of a real Linux host: raw VRRP sockets, GARP/NA, rtnetlink and its link watch. */
import { GratuitousAnnouncer } from '../platform/linux/neighbour-announce.js';
import { NeighbourWatch } from '../platform/linux/neighbour-watch.js';
import { LinkWatcher } from '../platform/linux/link-watch.js';
import { RtNetlink } from '../platform/linux/rtnetlink.js';
import { VrrpSocket } from '../platform/linux/vrrp-socket.js';
import { openNftables } from '../platform/linux/nftables.js';
import type { GlobalConfig } from '../config/model/global.js';
import { NoAcceptFirewall } from './no-accept-firewall.js';
import type { Logger } from './logger.js';
import type { AddressPort, LinkEvent, LinkView, PacketPort, VrrpPlatform } from './vrrp-platform.js';

export function openLinuxVrrpPlatform(log: Logger, global: GlobalConfig): VrrpPlatform {
  const rt = new RtNetlink();
  const watcher = new LinkWatcher({ report: (m) => log.warn(m) });
  const announcer = new GratuitousAnnouncer();
  const neighbours = new NeighbourWatch({ report: (m) => log.warn(m) });
  const listeners: ((e: LinkEvent) => void)[] = [];
  watcher.onEvent((e) => {
    const ev: LinkEvent | undefined =
      e.type === 'link'
        ? { type: 'link', name: e.name, up: e.up && e.running && !e.removed }
        : e.ifname
          ? { type: 'address', added: e.added, ifname: e.ifname, address: e.address }
          : undefined;
    if (ev) for (const l of listeners) l(ev);
  });
  const links: LinkView = {
    linkUp(name) {
      const l = watcher.link(name);
      return l ? l.up && l.running : undefined;
    },
    primaryAddress: (ifname, family, exclude) => watcher.primaryAddress(ifname, family, exclude),
    hasAddress: (ifname, address) => watcher.addressesOf(ifname).some((a) => a.address === address),
    onEvent: (cb) => void listeners.push(cb),
  };
  const addresses: AddressPort = {
    // the watcher knows the index: saves rtnetlink a link lookup on the takeover path
    addAddress: (e, ifname) => rt.addAddress(e, watcher.link(ifname)?.index ?? ifname),
    deleteAddress: (e, ifname) => rt.deleteAddress(e, watcher.link(ifname)?.index ?? ifname),
    addRoute: (r) => void rt.addRoute(r),
    deleteRoute: (r) => void rt.deleteRoute(r),
    addRule: (r) => void rt.addRule(r),
    deleteRule: (r) => void rt.deleteRule(r),
  };
  const sockets: VrrpSocket[] = [];
  // created on the first no_accept VIP only: most configs never need nftables
  let firewall: { nft: ReturnType<typeof openNftables>; rules: NoAcceptFirewall } | undefined;
  const firewallFor = () => {
    if (!firewall) {
      const nft = openNftables();
      firewall = { nft, rules: new NoAcceptFirewall(nft, global.nftables ?? 'keepalived', global.nftablesPriority, (m) => log.error(m)) };
    }
    return firewall.rules;
  };
  return {
    packets(family, ifname, protocol): PacketPort {
      const s = VrrpSocket.open({ family, ifname, protocol });
      sockets.push(s);
      return {
        joinGroup: (g) => s.joinGroup(g),
        leaveGroup: (g) => s.leaveGroup(g),
        send: (f) => s.send(f),
        onPacket: (cb) => void s.onPacket(cb),
        close: () => s.close(),
      };
    },
    announce: (ifname, address) => announcer.announce(ifname, address),
    neighbours,
    firewall: { dropTraffic: (addresses, add) => firewallFor().set(addresses, add) },
    addresses,
    links,
    close() {
      for (const s of sockets) s.close();
      if (firewall) {
        firewall.rules.close();
        firewall.nft.close();
      }
      announcer.close();
      neighbours.close();
      watcher.close();
      rt.close();
    },
  };
}
