/**
 * The VRRP instance state machine as a pure core: events + time in, actions out.
 * It follows keepalived 2.2.7 function by function (vrrp.c, vrrp_scheduler.c, vrrp_track.c,
 * vrrp_notify.c, keepalived_netlink.c); the names of the private methods are keepalived's.
 * No I/O, no clock: `now` (µs) comes with every event; nextWakeup() says when to call back.
 */
import type { InstanceSettings, TrackerSettings } from './instance-settings.js';
import type { Action, InstanceEvent, ReceivedAdvert, StatCounter, TrackerInit, VrrpStateName } from './instance-types.js';
import { masterDownInterval, skewMin, skewTime, v3AdvertIntervalMicros, TIMER_HZ } from './timers.js';
import { effectivePriorityOf, fileStatus, FILE_FAULT_STATUS, trackerContribution, trackerFaulty, type TrackerStatus } from './priority.js';
import { fifoLine, instanceNotifyActions } from './notify.js';
import type { SyncGroupCore } from './sync-group.js';
import { addedEntries } from './reload.js';

export type { Action, InstanceEvent, ReceivedAdvert, VrrpStateName } from './instance-types.js';

export interface InstanceOptions {
  /**
   * keepalived's -D / --log-detail. 2.2.7 only reverts a v3 master's master_adver_int to its
   * own advert_int when this is set (vrrp_state_become_master), so it changes timings.
   */
  readonly logDetail?: boolean;
}

interface PendingGarp {
  readonly at: number;
  readonly kind: 'master' | 'lower';
}

const OWNER = 255;

export function compareAddresses(a: string, b: string): number {
  const pa = parseAddr(a);
  const pb = parseAddr(b);
  if (!pa || !pb || pa.length !== pb.length) return pa && pb ? -2 : 0;
  for (let i = 0; i < pa.length; i++) {
    if (pa[i]! > pb[i]!) return 1;
    if (pa[i]! < pb[i]!) return -1;
  }
  return 0;
}

function parseAddr(s: string): number[] | undefined {
  if (s.includes(':')) {
    const [head, tail] = s.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    if (groups.length !== 8) return undefined;
    return groups.map((g) => parseInt(g, 16));
  }
  const parts = s.split('.').map(Number);
  return parts.length === 4 ? parts : undefined;
}

export class VrrpInstanceCore {
  readonly settings: InstanceSettings;
  readonly name: string;
  private readonly logDetail: boolean;

  /** Linked by SyncGroupCore. */
  sync: SyncGroupCore | undefined;
  /** Where actions go during one dispatch (shared by the members of a sync group). */
  sink: Action[] = [];

  state: VrrpStateName = 'INIT';
  wantstate: VrrpStateName;
  basePriority: number;
  effectivePriority: number;
  masterAdverInt: number;
  msDownTimer = 0;
  /** keepalived's sands: when the instance times out (undefined: TIMER_DISABLED). */
  sands: number | undefined;
  /** 0 = not running. */
  private preemptTime = 0;
  vipset = false;
  numScriptIfFault: number;
  numScriptInit = 0;
  notifiesSent = false;
  private garpRefreshTimer = 0;
  private pendingGarps: PendingGarp[] = [];
  private readonly trackerStatus = new Map<string, TrackerStatus>();
  private sourceAddress: string | undefined;
  masterSource: string | undefined;
  masterPriority = 0;
  private delayedStart = 0;
  now = 0;
  private started = false;
  /** Reload: the state of the old instance this one replaces (vrrp_exist matched), until its sands are set. */
  private reloadedFrom: VrrpStateName | undefined;
  /** keepalived's reload_master: a MASTER kept over a reload (no flap, an advert at once). */
  private reloadMaster = false;
  /** settings.majorityRequired: the last 'majority' event (false until one says otherwise). */
  majorityHeld = false;
  /** settings.majorityRequired: the master-down timer fired, but no majority yet. */
  private waitingForMajority = false;
  /** When an advert from a master this BACKUP accepts last arrived (µs). */
  masterHeardAt: number | undefined;

  constructor(settings: InstanceSettings, opts: InstanceOptions = {}) {
    this.settings = settings;
    this.name = settings.name;
    this.logDetail = opts.logDetail ?? false;
    this.wantstate = settings.initialState;
    this.basePriority = settings.priority;
    this.effectivePriority = settings.priority;
    this.masterAdverInt = settings.advertInt;
    this.numScriptIfFault = settings.configFaults;
    this.sourceAddress = settings.sourceAddress;
  }

  /* ------------------------------------------------------------------ public API */

  /** Feed one event; returns the actions (of this instance and, in a sync group, of its peers). */
  handle(ev: InstanceEvent): Action[] {
    const out: Action[] = [];
    this.bindSink(out, ev.now);
    switch (ev.type) {
      case 'start':
        if (this.sync) throw new Error(`instance ${this.name} is in sync group ${this.sync.name}: start the group`);
        this.startStandalone(ev.trackers ?? [], ev.primaryAddress);
        break;
      case 'timer':
        this.timerExpired();
        break;
      case 'advert':
        this.dispatcherRead(ev.advert);
        break;
      case 'advert-rejected':
        /*
         * Deliberately unlike keepalived 2.2.7: its MASTER re-arms its advert timer after every
         * packet it reads, valid or not, so anyone sending junk with this VRID faster than
         * advert_int silences the master and the backup takes over (measured: real keepalived
         * flaps every master-down interval under such a flood). A rejected packet changes
         * nothing else in MASTER, so a MASTER ignores it; BACKUP keeps keepalived's behaviour.
         */
        if (this.state !== 'MASTER') this.dispatcherRead(undefined);
        break;
      case 'interface':
        this.trackerChanged('interface', ev.name, { kind: ev.up ? 'up' : 'down' });
        break;
      case 'tracker':
        this.trackerChanged(
          ev.kind,
          ev.name,
          ev.kind === 'file' ? { kind: 'value', value: ev.value ?? 0 } : { kind: ev.up ? 'up' : 'down' },
        );
        break;
      case 'vip-deleted':
        this.vipDeleted(ev.address);
        break;
      case 'set-priority':
        this.setBasePriority(ev.priority);
        break;
      case 'majority':
        this.majorityChanged(ev.held, ev.reason);
        break;
      case 'stop':
        this.stop();
        break;
    }
    return out;
  }

  /** When the driver must deliver a 'timer' event next (absolute µs), if ever. */
  nextWakeup(): number | undefined {
    let t = this.state === 'BACKUP' || this.state === 'MASTER' ? this.sands : undefined;
    for (const g of this.pendingGarps) if (t === undefined || g.at < t) t = g.at;
    return t;
  }

  get priority(): number {
    return this.effectivePriority;
  }

  /** The address adverts are sent from (configured, or the interface's primary address once started). */
  get source(): string | undefined {
    return this.sourceAddress;
  }

  /** The known tracker states, as a start would be given them (a reload carries them over). */
  trackerInits(): TrackerInit[] {
    const out: TrackerInit[] = [];
    for (const t of this.settings.trackers) {
      const st = this.trackerStatus.get(key(t.kind, t.name));
      if (!st || st.kind === 'init') continue;
      out.push(st.kind === 'value' ? { kind: t.kind, name: t.name, value: st.value } : { kind: t.kind, name: t.name, up: st.kind === 'up' });
    }
    return out;
  }

  /* ------------------------------------------------------------------ reload (SIGHUP) */

  /**
   * Start this (new) lone instance at a reload, in place of `old` (the instance vrrp_exist()
   * matched, if any): vrrp_complete_init's reload path, restore_vrrp_state, vrrp_init_state,
   * vrrp_init_sands. Without `old` it starts as at startup (but no vrrp_startup_delay).
   */
  reloadStart(now: number, old: VrrpInstanceCore | undefined, trackers: readonly TrackerInit[], primaryAddress: string | undefined): Action[] {
    if (this.sync) throw new Error(`instance ${this.name} is in sync group ${this.sync.name}: reload the group`);
    const out: Action[] = [];
    this.bindSink(out, now);
    this.initTracking(trackers, primaryAddress, true);
    if (old) {
      this.adoptReloadState(old);
      this.restoreVrrpState(old);
    }
    this.initState();
    this.initInstanceSands();
    return out;
  }

  /**
   * vrrp_complete_init (reload): a matched instance takes the old one's MASTER/BACKUP state unless
   * either is in FAULT or a script is still in init; restore_vrrp_state: vipset carries over.
   */
  adoptReloadState(old: VrrpInstanceCore): void {
    this.reloadedFrom = old.state;
    this.vipset = old.vipset;
    if (old.state !== 'FAULT' && this.state !== 'FAULT' && !this.numScriptInit && (old.state === 'MASTER' || old.state === 'BACKUP')) {
      this.state = old.state;
      this.wantstate = old.state;
    }
    this.reloadMaster = this.state === 'MASTER';
  }

  /**
   * restore_vrrp_state(): VIPs, eVIPs, routes and rules new in this config are added to a kept
   * MASTER (those already set stay, as keepalived's `set` flag keeps them); if addresses were
   * added, GARPs for all of them (vrrp_send_link_update) and the refresh timer restarts.
   */
  restoreVrrpState(old: VrrpInstanceCore): void {
    if (!this.vipset || this.state !== 'MASTER') return;
    const s = this.settings;
    const o = old.settings;
    const oldAddrs = [...o.vips, ...o.evips];
    const vips = addedEntries(oldAddrs, s.vips);
    const evips = addedEntries(oldAddrs, s.evips);
    if (vips.length) this.emit({ type: 'add-vips', owner: this.name, excluded: false, addresses: vips });
    if (evips.length) this.emit({ type: 'add-vips', owner: this.name, excluded: true, addresses: evips });
    const routes = addedEntries(o.virtualRoutes, s.virtualRoutes);
    if (routes.length) this.emit({ type: 'add-routes', owner: this.name, routes });
    const rules = addedEntries(o.virtualRules, s.virtualRules);
    if (rules.length) this.emit({ type: 'add-rules', owner: this.name, rules });
    if (vips.length || evips.length) {
      this.sendLinkUpdate(s.garpMasterRepeat);
      if (s.garpMasterRefresh) this.garpRefreshTimer = this.now + s.garpMasterRefresh;
    }
  }

  /**
   * clear_diff_vrrp() for an instance the new config no longer has: a MASTER sends priority 0
   * and releases everything; then DELETED (reported as FAULT unless notify_deleted; nothing
   * when it was already in FAULT without notify_deleted).
   */
  reloadDelete(now: number): Action[] {
    const out: Action[] = [];
    this.bindSink(out, now);
    if (this.state === 'MASTER') this.restoreInterface(true, false);
    const from = this.state;
    this.sands = undefined;
    this.pendingGarps = [];
    const n = this.settings.notify;
    this.state = 'DELETED';
    this.emit({ type: 'state-changed', owner: this.name, group: false, from, to: 'DELETED', reason: 'removed by reload' });
    if (n.notifyDeleted || from !== 'FAULT') {
      this.notifiesSent = true;
      for (const a of instanceNotifyActions(this.name, n, n.notifyDeleted ? 'DELETED' : 'FAULT', this.effectivePriority)) this.emit(a);
    }
    return out;
  }

  /* ------------------------------------------------------------------ plumbing */

  bindSink(out: Action[], now: number): void {
    if (this.sync) this.sync.bindSink(out, now);
    else {
      this.sink = out;
      this.now = now;
    }
  }

  emit(a: Action): void {
    this.sink.push(a);
  }
  log(message: string): void {
    this.emit({ type: 'log', owner: this.name, message: `(${this.name}) ${message}` });
  }
  private stat(counter: StatCounter): void {
    this.emit({ type: 'stat', owner: this.name, counter });
  }
  private setState(to: VrrpStateName, reason: string): void {
    const from = this.state;
    this.state = to;
    if (from !== to) this.emit({ type: 'state-changed', owner: this.name, group: false, from, to, reason });
  }

  /** Skew_Time with the current priority and master_adver_int. */
  skew(): number {
    return skewTime(this.settings.version, this.masterAdverInt, this.effectivePriority);
  }
  /** Master_Down_Interval with the current priority and master_adver_int. */
  masterDownInterval(): number {
    return this.msDown();
  }
  private msDown(): number {
    return masterDownInterval(this.settings.version, this.settings.downTimerAdverts, this.masterAdverInt, this.effectivePriority);
  }

  /* ------------------------------------------------------------------ startup */

  private startStandalone(trackers: readonly TrackerInit[], primaryAddress: string | undefined): void {
    this.initTracking(trackers, primaryAddress);
    this.initState();
    this.initInstanceSands();
  }

  /** initialise_tracking_priorities() for this instance (interfaces, files, processes, source address, scripts, bfd). */
  initTracking(initial: readonly TrackerInit[], primaryAddress: string | undefined, reload = false): void {
    this.started = true;
    if (!reload && this.settings.startupDelay > 0) this.delayedStart = this.now + this.settings.startupDelay;
    this.sourceAddress ??= primaryAddress;
    const initKind = (kind: TrackerSettings['kind']) => {
      for (const t of this.settings.trackers) {
        if (t.kind !== kind) continue;
        const init = initial.find((i) => i.kind === t.kind && i.name === t.name);
        let st: TrackerStatus;
        if (t.kind === 'file') st = { kind: 'value', value: init?.value ?? 0 };
        else if (t.kind === 'script')
          st = init?.up !== undefined ? { kind: init.up ? 'up' : 'down' } : t.initFail ? { kind: 'down' } : { kind: 'init' };
        else st = { kind: init?.up === false ? 'down' : 'up' };
        this.trackerStatus.set(key(t.kind, t.name), st);
        if (t.kind === 'script' && t.weight === 0 && st.kind === 'init') this.numScriptInit++;
        // keepalived's initialise_track_script_state() ignores `reverse` for an unweighted script:
        // one that starts failed (init_fail, or a failing first result) puts the instance in FAULT
        const faulty = t.kind === 'script' && t.weight === 0 ? st.kind === 'down' : trackerFaulty(t, st);
        if (faulty) {
          this.numScriptIfFault++;
          this.state = 'FAULT';
          this.log(faultLogAtInit(t, st));
        }
      }
    };
    initKind('interface');
    initKind('file');
    initKind('process');
    if (this.sourceAddress === undefined) {
      this.log(`entering FAULT state (no IPv${this.settings.family === 'inet' ? 4 : 6} address for interface)`);
      this.state = 'FAULT';
      this.numScriptIfFault++;
    }
    initKind('script');
    initKind('bfd');
    this.setEffectivePriority();
  }

  /** vrrp_init_state() for this instance. */
  initState(): void {
    const begin = this.state;
    if (this.state === 'FAULT') this.wantstate = 'FAULT';
    const newState = this.sync ? this.sync.state : this.wantstate;
    const isUp = this.numScriptIfFault === 0;
    const groupInit = this.sync ? this.sync.numMemberInit > 0 : false;
    if (
      isUp &&
      newState === 'MASTER' &&
      !this.numScriptInit &&
      !groupInit &&
      (this.basePriority === OWNER || this.reloadMaster) &&
      this.wantstate === 'MASTER'
    ) {
      if (!this.reloadMaster) {
        // "The simplest way to become master is to timeout from the backup state very quickly"
        this.setState('BACKUP', 'startup (address owner)');
        this.msDownTimer = 1;
      }
    } else {
      if (newState === 'BACKUP' && this.wantstate === 'MASTER')
        this.msDownTimer = this.masterAdverInt + skewMin(this.settings.version, this.masterAdverInt);
      else this.msDownTimer = this.msDown();
      this.restoreInterface(false, false);
      if (isUp && newState !== 'FAULT' && !this.numScriptInit && !groupInit) {
        if (this.state !== 'BACKUP') {
          this.log('Entering BACKUP STATE (init)');
          this.state = 'BACKUP';
        }
      } else {
        if (begin !== this.state) this.log('Entering FAULT STATE (init)');
        this.state = 'FAULT';
      }
      const from = this.reloadedFrom ?? 'INIT';
      if (this.reloadedFrom === undefined || from !== this.state)
        this.emit({ type: 'state-changed', owner: this.name, group: false, from, to: this.state, reason: this.reloadedFrom ? 'reload' : 'startup' });
      const changed = this.reloadedFrom !== undefined ? this.reloadedFrom !== this.state : begin !== this.state;
      if (changed && (this.state !== 'FAULT' || this.numScriptIfFault)) this.sendInstanceNotifies();
    }
  }

  /** vrrp_init_instance_sands(). */
  initInstanceSands(): void {
    this.reloadedFrom = undefined;
    if (this.state === 'MASTER') this.sands = this.reloadMaster ? this.now : this.now + this.settings.advertInt;
    else if (this.state === 'BACKUP') {
      if (this.delayedStart && this.now < this.delayedStart) this.sands = this.delayedStart + this.msDownTimer;
      else {
        this.delayedStart = 0;
        this.sands = this.now + this.msDownTimer;
      }
    } else this.sands = undefined;
    this.reloadMaster = false;
  }

  /* ------------------------------------------------------------------ timers */

  private timerExpired(): void {
    const due = this.pendingGarps.filter((g) => g.at <= this.now).sort((a, b) => a.at - b.at);
    this.pendingGarps = this.pendingGarps.filter((g) => g.at > this.now);
    for (const g of due) {
      // vrrp_gratuitous_arp_thread / vrrp_lower_prio_gratuitous_arp_thread
      this.sendLinkUpdate(g.kind === 'master' ? this.settings.garpMasterRepeat : this.settings.garpLowerPrioRepeat);
    }
    if (this.sands !== undefined && this.sands <= this.now && (this.state === 'BACKUP' || this.state === 'MASTER')) this.dispatcherReadTimeout();
  }

  /** vrrp_dispatcher_read_timeout() for this instance. */
  dispatcherReadTimeout(): void {
    const prev = this.state;
    if (this.state === 'BACKUP') {
      if (this.logDetail) this.log('Receive advertisement timeout');
      this.gotoMaster();
    } else if (this.state === 'MASTER') this.stateMasterTx();
    this.tsmHandle(prev);
    this.initInstanceSands();
  }

  private tsmHandle(prev: VrrpStateName): void {
    if (!this.sync) return;
    const to = this.state;
    if (to === 'MASTER' && (prev === 'BACKUP' || prev === 'MASTER' || prev === 'FAULT')) this.sync.syncMaster(this);
    else if (prev === 'MASTER' && to === 'BACKUP') this.sync.syncBackup(this);
  }

  /* ------------------------------------------------------------------ receive */

  /** vrrp_dispatcher_read() for one packet of our VRID (undefined: it failed the checks). */
  private dispatcherRead(adv: ReceivedAdvert | undefined): void {
    if (this.state === 'FAULT' || this.state === 'INIT' || this.state === 'STOP') return;
    if (adv) {
      this.stat('advert_rcvd');
      if (adv.priority === 0) this.stat('pri_zero_rcvd');
    }
    const prev = this.state;
    if (this.state === 'BACKUP') this.stateBackup(adv);
    else if (this.state === 'MASTER') {
      if (this.stateMasterRx(adv)) this.stateLeaveMaster(false, adv ? 'higher priority advert' : 'fault');
    }
    this.tsmHandle(prev);
    if (this.state !== 'MASTER' || !this.settings.lowerPrioNoAdvert) this.initInstanceSands();
  }

  /** vrrp_state_backup(). */
  private stateBackup(adv: ReceivedAdvert | undefined): void {
    let ignore = false;
    if (!adv) ignore = true;
    else if (adv.priority === 0) {
      if (this.logDetail) this.log('Backup received priority 0 advertisement');
      this.msDownTimer = this.skew();
    } else if (
      this.settings.nopreempt ||
      adv.priority >= this.effectivePriority ||
      (this.settings.preemptDelay && (!this.preemptTime || this.preemptTime > this.now))
    ) {
      if (this.settings.version === 3) {
        const mai = v3AdvertIntervalMicros(adv.advertInterval);
        if (this.masterAdverInt !== mai) {
          if (this.logDetail)
            this.log(`advertisement interval updated from ${this.masterAdverInt / 1000}ms to ${mai / 1000}ms by master`);
          this.masterAdverInt = mai;
        }
      }
      this.msDownTimer = this.msDown();
      this.masterSource = adv.source;
      this.masterPriority = adv.priority;
      this.masterHeardAt = this.now;
      this.waitingForMajority = false;
      if (this.settings.preemptDelay) {
        if (adv.priority >= this.effectivePriority) {
          if (this.preemptTime) {
            if (this.logDetail) this.log('stop preempt delay');
            this.preemptTime = 0;
          }
        } else if (!this.preemptTime) {
          if (this.logDetail) this.log(`start preempt delay (${fmtSecs(this.settings.preemptDelay)})`);
          this.preemptTime = this.now + this.settings.preemptDelay;
        }
      }
      this.wantstate = 'BACKUP';
    } else {
      this.log(`received lower priority (${adv.priority}) advert from ${adv.source} - discarding`);
      ignore = true;
      this.masterSource = adv.source;
    }
    if (ignore) {
      const left = (this.sands ?? this.now) - this.now;
      this.msDownTimer = left < 0 ? 0 : left;
    }
  }

  /** vrrp_saddr_cmp(). */
  private saddrCmp(source: string): number {
    if (this.sourceAddress === undefined) return 0;
    return compareAddresses(source, this.sourceAddress);
  }

  /** vrrp_state_master_rx(): true to leave MASTER. */
  private stateMasterRx(adv: ReceivedAdvert | undefined): boolean {
    if (this.wantstate === 'FAULT') {
      this.masterAdverInt = this.settings.advertInt;
      this.msDownTimer = this.msDown();
      this.setState('FAULT', 'fault');
      this.sendInstanceNotifies();
      return true;
    }
    if (!adv) return false;
    const addrCmp = this.saddrCmp(adv.source);
    const ep = this.effectivePriority;
    if (adv.priority === 0 || (this.settings.higherPrioSendAdvert && (adv.priority > ep || (adv.priority === ep && addrCmp > 0)))) {
      this.sendAdv(ep);
      if (adv.priority === 0) {
        if (this.logDetail) this.log('Master received priority 0 message');
        return false;
      }
    }
    if (adv.priority === this.effectivePriority) {
      if (addrCmp === 0) this.log('WARNING - equal priority advert received from remote host with our IP address.');
      else if (this.effectivePriority === OWNER) {
        this.log('CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority');
        this.effectivePriority = OWNER - 1;
        this.basePriority = OWNER - 1;
      }
    }
    if (adv.priority < this.effectivePriority || (adv.priority === this.effectivePriority && addrCmp < 0)) {
      const lpna = this.settings.lowerPrioNoAdvert;
      this.log(
        `Received advert from ${adv.source} with lower priority ${adv.priority}, ours ${this.effectivePriority}${!lpna ? ', forcing new election' : ''}`,
      );
      if (!lpna) this.sendAdv(this.effectivePriority);
      this.lowerPrioGarps();
      if (this.sync) for (const m of this.sync.members) if (m !== this) m.lowerPrioGarps();
      this.sendEventNotifyMasterRxLowerPri();
      return false;
    }
    if (adv.priority > this.effectivePriority || (adv.priority === this.effectivePriority && addrCmp > 0)) {
      if (adv.priority > this.effectivePriority)
        this.log(`Master received advert from ${adv.source} with higher priority ${adv.priority}, ours ${this.effectivePriority}`);
      else this.log(`Master received advert from ${adv.source} with same priority ${adv.priority} but higher IP address than ours`);
      if (this.settings.version === 3) {
        const mai = v3AdvertIntervalMicros(adv.advertInterval);
        if (this.masterAdverInt !== mai) this.masterAdverInt = mai;
      }
      this.msDownTimer = this.msDown();
      this.masterPriority = adv.priority;
      this.masterSource = adv.source;
      this.wantstate = 'BACKUP';
      // keepalived sets state = BACK here, before vrrp_state_leave_master() runs.
      this.state = 'BACKUP';
      return true;
    }
    return false;
  }

  lowerPrioGarps(): void {
    if (!this.settings.garpLowerPrioRepeat) return;
    this.sendLinkUpdate(this.settings.garpLowerPrioRepeat);
    if (this.settings.garpLowerPrioDelay) this.pendingGarps.push({ at: this.now + this.settings.garpLowerPrioDelay, kind: 'lower' });
  }

  /* ------------------------------------------------------------------ becoming / leaving master */

  private gotoMaster(): void {
    this.wantstate = 'MASTER';
    this.stateGotoMaster();
  }

  /** vrrp_state_goto_master(). */
  stateGotoMaster(): void {
    if (this.sync && !this.sync.canGotoMaster(this)) {
      this.wantstate = 'MASTER';
      return;
    }
    if (this.settings.majorityRequired && !this.majorityHeld) {
      this.waitForMajority();
      return;
    }
    this.waitingForMajority = false;
    this.cameFrom = this.state;
    this.state = 'MASTER';
    this.initInstanceSands();
    this.stateMasterTx();
  }

  /* ------------------------------------------------------------------ majority (keepalived-ts extension) */

  /** A candidate: it would be MASTER now if it held a majority of the votes. */
  get awaitingMajority(): boolean {
    return this.waitingForMajority && this.state === 'BACKUP' && this.wantstate === 'MASTER';
  }

  /** Stay (or become) BACKUP until a 'majority' event allows MASTER; the split-brain layer keeps asking. */
  private waitForMajority(): void {
    this.wantstate = 'MASTER';
    if (!this.waitingForMajority) this.log('master-down timer expired, but no majority of votes - staying BACKUP');
    this.waitingForMajority = true;
    // retried at the master-down pace; the 'majority' event is what normally ends the wait
    this.msDownTimer = this.msDown();
    if (this.state !== 'BACKUP') {
      this.log('Entering BACKUP STATE');
      this.setState('BACKUP', 'no majority of votes');
      this.sendInstanceNotifies();
    }
  }

  /**
   * The majority is the group's (a sync group votes as one): every member learns it; a waiting
   * member then goes MASTER (the sync group takes the others along), a MASTER without it leaves.
   */
  private majorityChanged(held: boolean, reason: string): void {
    if (!this.settings.majorityRequired) return;
    const members = this.sync ? this.sync.members : [this];
    for (const m of members) m.majorityHeld = held;
    if (held) {
      const waiting = members.find((m) => m.awaitingMajority);
      if (!waiting) return;
      const prev = waiting.state;
      waiting.masterReason = `majority of votes (${reason})`;
      waiting.stateGotoMaster();
      waiting.masterReason = 'master-down timer expired';
      waiting.tsmHandle(prev);
      return;
    }
    const master = members.find((m) => m.state === 'MASTER');
    if (!master) return;
    master.log(`lost the majority of votes (${reason}) - releasing the VIPs`);
    master.wantstate = 'BACKUP';
    master.stateLeaveMaster(true, `majority lost: ${reason}`);
    master.tsmHandle('MASTER');
  }

  /** vrrp_state_master_tx(). */
  private stateMasterTx(): void {
    this.sendAdv(this.effectivePriority);
    if (!this.vipset) {
      this.log('Entering MASTER STATE');
      this.emit({ type: 'state-changed', owner: this.name, group: false, from: this.cameFrom, to: 'MASTER', reason: this.masterReason });
      this.stateBecomeMaster();
      if (this.settings.garpMasterDelay) this.pendingGarps.push({ at: this.now + this.settings.garpMasterDelay, kind: 'master' });
    } else if (this.settings.garpMasterRefresh && this.now > this.garpRefreshTimer) {
      this.sendLinkUpdate(this.settings.garpMasterRefreshRepeat);
      this.garpRefreshTimer = this.now + this.settings.garpMasterRefresh;
    }
  }
  /** The state we came from (stateGotoMaster sets MASTER before master_tx runs), and why. */
  private cameFrom: VrrpStateName = 'BACKUP';
  masterReason = 'master-down timer expired';

  /** vrrp_state_become_master(). */
  private stateBecomeMaster(): void {
    this.stat('become_master');
    if (this.settings.version === 3 && this.logDetail && this.masterAdverInt !== this.settings.advertInt) {
      this.log(`changing advert interval from ${this.masterAdverInt / 1000}ms to locally configured ${this.settings.advertInt / 1000}ms`);
      this.masterAdverInt = this.settings.advertInt;
    }
    const s = this.settings;
    if (this.basePriority !== OWNER && !s.accept) this.emit({ type: 'firewall-drop', owner: this.name, add: true });
    if (s.vips.length) this.emit({ type: 'add-vips', owner: this.name, excluded: false, addresses: s.vips });
    if (s.evips.length) this.emit({ type: 'add-vips', owner: this.name, excluded: true, addresses: s.evips });
    this.vipset = true;
    if (s.virtualRoutes.length) this.emit({ type: 'add-routes', owner: this.name, routes: s.virtualRoutes });
    if (s.virtualRules.length) this.emit({ type: 'add-rules', owner: this.name, rules: s.virtualRules });
    this.sendLinkUpdate(s.garpMasterRepeat);
    if (s.garpMasterRefresh) this.garpRefreshTimer = this.now + s.garpMasterRefresh;
    this.sendInstanceNotifies();
  }

  /** vrrp_restore_interface(). */
  private restoreInterface(advF: boolean, force: boolean): void {
    const s = this.settings;
    if (advF) {
      this.sendAdv(0);
      this.stat('pri_zero_sent');
      if (this.logDetail) this.log('sent 0 priority');
    }
    if (s.virtualRules.length && (force || this.vipset)) this.emit({ type: 'remove-rules', owner: this.name, rules: s.virtualRules });
    if (s.virtualRoutes.length && this.vipset) this.emit({ type: 'remove-routes', owner: this.name, routes: s.virtualRoutes });
    this.pendingGarps = [];
    if (force || this.vipset) {
      if (s.vips.length) this.emit({ type: 'remove-vips', owner: this.name, excluded: false, addresses: s.vips });
      if (s.evips.length) this.emit({ type: 'remove-vips', owner: this.name, excluded: true, addresses: s.evips });
      if (this.basePriority !== OWNER && !s.accept) this.emit({ type: 'firewall-drop', owner: this.name, add: false });
      this.vipset = false;
    }
  }

  /** vrrp_state_leave_master(). */
  stateLeaveMaster(advF: boolean, reason: string): void {
    if (this.wantstate === 'BACKUP') {
      this.log('Entering BACKUP STATE');
      this.preemptTime = 0;
    } else if (this.wantstate === 'FAULT') {
      this.log('Entering FAULT STATE');
      this.sendAdv(0);
    } else {
      this.log(`vrrp_state_leave_master called with invalid wantstate ${this.wantstate}`);
      return;
    }
    this.restoreInterface(advF, false);
    this.emit({ type: 'state-changed', owner: this.name, group: false, from: 'MASTER', to: this.wantstate, reason });
    this.state = this.wantstate;
    this.sendInstanceNotifies();
    this.msDownTimer = this.msDown();
    this.initInstanceSands();
    this.stat('release_master');
  }

  /** vrrp_state_leave_fault(). */
  stateLeaveFault(reason: string): void {
    if (this.wantstate === 'MASTER') {
      this.masterReason = reason;
      this.stateGotoMaster();
      this.masterReason = 'master-down timer expired';
    } else {
      if (this.state !== this.wantstate) this.log(`Entering ${this.wantstate === 'BACKUP' ? 'BACKUP' : 'FAULT'} STATE`);
      if (this.wantstate === 'FAULT' && this.state === 'MASTER') {
        this.sendAdv(0);
        this.restoreInterface(false, false);
      }
      this.setState(this.wantstate, reason);
      this.sendInstanceNotifies();
      if (this.state === 'BACKUP') this.preemptTime = 0;
    }
    this.masterAdverInt = this.settings.advertInt;
    this.msDownTimer = this.msDown();
    this.initInstanceSands();
  }

  /* ------------------------------------------------------------------ trackers and priority */

  /** vrrp_set_effective_priority(). */
  private setEffectivePriority(): void {
    if (this.basePriority === OWNER) return;
    const np = effectivePriorityOf(this.basePriority, this.totalPriority());
    if (np === this.effectivePriority) return;
    this.log(`Changing effective priority from ${this.effectivePriority} to ${np}`);
    this.effectivePriority = np;
    const old = this.msDownTimer;
    this.msDownTimer = this.msDown();
    if (this.state === 'BACKUP' && this.sands !== undefined) this.sands += this.msDownTimer - old;
    if (this.settings.notify.priorityChanges)
      this.emit({
        type: 'fifo',
        owner: this.name,
        line: fifoLine('INSTANCE', this.name, this.state === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY', this.effectivePriority),
      });
  }

  totalPriority(): number {
    let total = this.basePriority;
    for (const t of this.settings.trackers) total += trackerContribution(t, this.trackerStatus.get(key(t.kind, t.name)) ?? { kind: 'init' });
    return total;
  }

  private trackerChanged(kind: TrackerSettings['kind'], name: string, st: TrackerStatus): void {
    for (const t of this.settings.trackers) {
      if (t.kind !== kind || t.name !== name) continue;
      const k = key(kind, name);
      const prev = this.trackerStatus.get(k) ?? { kind: 'init' };
      if (sameStatus(prev, st)) continue;
      this.trackerStatus.set(k, st);
      if (!this.started) continue;
      if (kind === 'file') {
        this.fileChanged(t, prev, st);
        continue;
      }
      if (t.weight !== 0) {
        this.setEffectivePriority();
        continue;
      }
      const failing = trackerFaulty(t, st);
      if (kind === 'script' && prev.kind === 'init') {
        // process_script_update_priority() for a script leaving its init state
        let leftInit = false;
        if (--this.numScriptInit === 0) {
          leftInit = true;
          if (this.sync) this.sync.numMemberInit--;
        }
        if (failing) this.downInstance(`script ${name} failed`);
        else if (!this.numScriptInit && (!this.sync || !this.sync.numMemberInit)) this.tryUpInstance(leftInit, `script ${name} ok`);
        continue;
      }
      if (failing) this.downInstance(`${kind} ${name} ${kind === 'interface' ? 'down' : 'failed'}`);
      else this.tryUpInstance(false, `${kind} ${name} ${kind === 'interface' ? 'up' : 'ok'}`);
    }
  }

  /** process_update_vrrp_track_file_status(). */
  private fileChanged(t: TrackerSettings, prev: TrackerStatus, st: TrackerStatus): void {
    const p = fileStatus(t, prev.kind === 'value' ? prev.value : 0);
    const n = fileStatus(t, st.kind === 'value' ? st.value : 0);
    if (p === n) return;
    if (n === FILE_FAULT_STATUS) this.downInstance(`tracked file ${t.name} fault`);
    else if (p === FILE_FAULT_STATUS) {
      if (t.weight && this.basePriority !== OWNER) this.effectivePriority = effectivePriorityOf(this.basePriority, this.totalPriority());
      this.tryUpInstance(false, `tracked file ${t.name} ok`);
    } else this.setEffectivePriority();
  }

  /** down_instance(). */
  downInstance(reason: string): void {
    if (this.numScriptIfFault++ === 0 || this.state === 'INIT') {
      this.wantstate = 'FAULT';
      if (this.state === 'MASTER') this.stateLeaveMaster(true, reason);
      else this.stateLeaveFault(reason);
      if (this.sync && this.sync.numMemberFault++ === 0) this.sync.syncFault(this);
    }
  }

  /** try_up_instance(). */
  tryUpInstance(leavingInit: boolean, reason: string): void {
    if (leavingInit) {
      if (this.numScriptIfFault) return;
    } else if (--this.numScriptIfFault || this.numScriptInit) {
      if (!this.numScriptIfFault) {
        if (this.sync) {
          this.sync.numMemberFault--;
          this.sync.state = 'INIT';
        }
        this.wantstate = 'BACKUP';
      }
      return;
    }
    if (!(this.wantstate === 'MASTER' && this.basePriority === OWNER)) this.wantstate = 'BACKUP';
    this.masterAdverInt = this.settings.advertInt;
    if (this.wantstate === 'MASTER' && this.basePriority === OWNER) this.msDownTimer = this.masterAdverInt + this.skew();
    else this.msDownTimer = this.msDown();
    if (this.sync) {
      if (leavingInit) {
        if (this.sync.numMemberFault) return;
      } else if (--this.sync.numMemberFault || this.sync.numMemberInit) return;
    }
    const wantstate = this.wantstate;
    if (this.sync && this.wantstate === 'MASTER' && !this.sync.canGotoMaster(this)) this.wantstate = 'BACKUP';
    this.stateLeaveFault(reason);
    this.initInstanceSands();
    this.wantstate = wantstate;
    if (this.sync) {
      if (this.state === 'MASTER') this.sync.syncMaster(this);
      else this.sync.syncBackup(this);
    }
  }

  private setBasePriority(p: number): void {
    if (this.basePriority === OWNER) return;
    this.basePriority = p;
    this.setEffectivePriority();
  }

  /* ------------------------------------------------------------------ other events */

  /** set_vrrp_backup() (keepalived_netlink.c): one of our VIPs was deleted behind our back. */
  private vipDeleted(address: string): void {
    if (this.state !== 'MASTER') return;
    const hit = [...this.settings.vips, ...this.settings.evips].find((v) => v.address === address);
    if (!hit || hit.noTrack) return;
    this.wantstate = 'BACKUP';
    this.stateLeaveMaster(true, `VIP ${address} deleted`);
    if (this.sync) {
      for (const m of this.sync.members) {
        if (m.state !== 'MASTER') continue;
        m.wantstate = 'BACKUP';
        m.stateLeaveMaster(true, `sync group ${this.sync.name}: VIP ${address} deleted`);
        m.msDownTimer = m.skew();
        m.initInstanceSands();
      }
      this.sync.state = 'BACKUP';
    }
    this.msDownTimer = this.skew();
    this.initInstanceSands();
  }

  /** SIGTERM: restore_vrrp_interfaces() then notify_shutdown() (instance part). */
  private stop(): void {
    this.stopRestore();
    this.stopNotify();
  }
  stopRestore(): void {
    if (this.state === 'MASTER') this.restoreInterface(true, false);
  }
  stopNotify(): void {
    const from = this.state;
    this.state = 'STOP';
    this.sands = undefined;
    this.pendingGarps = [];
    this.emit({ type: 'state-changed', owner: this.name, group: false, from, to: 'STOP', reason: 'stop' });
    this.sendInstanceNotifies();
  }

  /* ------------------------------------------------------------------ output helpers */

  sendAdv(priority: number): void {
    this.emit({ type: 'send-advert', owner: this.name, priority });
    this.stat('advert_sent');
  }

  /** vrrp_send_link_update(). */
  private sendLinkUpdate(rep: number): void {
    if (!this.vipset || rep <= 0) return;
    const addresses = [...this.settings.vips, ...this.settings.evips];
    if (addresses.length) this.emit({ type: 'send-garp', owner: this.name, addresses, repeat: rep });
  }

  /** send_instance_notifies(). */
  sendInstanceNotifies(): void {
    if (this.notifiesSent && this.sync && this.state === this.sync.state) return;
    this.notifiesSent = true;
    for (const a of instanceNotifyActions(this.name, this.settings.notify, this.state, this.effectivePriority)) this.emit(a);
  }

  private sendEventNotifyMasterRxLowerPri(): void {
    const argv = this.settings.notify.masterRxLowerPri;
    if (argv) this.emit({ type: 'run-script', owner: this.name, kind: 'notify_master_rx_lower_pri', argv });
    this.emit({ type: 'fifo', owner: this.name, line: fifoLine('INSTANCE', this.name, 'MASTER_RX_LOWER_PRI', this.effectivePriority) });
  }
}

function key(kind: string, name: string): string {
  return `${kind}\u0000${name}`;
}

function sameStatus(a: TrackerStatus, b: TrackerStatus): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== 'value' || a.value === (b as { value: number }).value;
}

function faultLogAtInit(t: TrackerSettings, st: TrackerStatus): string {
  switch (t.kind) {
    case 'interface':
      return `entering FAULT state (interface ${t.name} down)`;
    case 'file':
      return `entering FAULT state (tracked file ${t.name} has status ${fileStatus(t, st.kind === 'value' ? st.value : 0)})`;
    case 'process':
      return `entering FAULT state (tracked process ${t.name} quorum not achieved)`;
    default:
      return `entering FAULT state due to script ${t.name}`;
  }
}

function fmtSecs(us: number): string {
  return `${Math.floor(us / TIMER_HZ)}.${String(us % TIMER_HZ).padStart(6, '0')}`;
}
