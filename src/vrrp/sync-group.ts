/**
 * A VRRP sync group (keepalived 2.2.7 vrrp_sync.c): members change state together.
 * One member in FAULT puts all in FAULT; one leaving MASTER for BACKUP takes all to BACKUP;
 * the group goes MASTER only when every member wants MASTER.
 *
 * The group links its member cores (member.sync = group); events are still delivered to
 * the members, whose handle() then returns the actions of the whole group.
 */
import type { SyncGroupSettings } from './instance-settings.js';
import type { Action, TrackerInit, VrrpStateName } from './instance-types.js';
import type { VrrpInstanceCore } from './instance.js';
import { groupNotifyActions } from './notify.js';

export class SyncGroupCore {
  readonly name: string;
  readonly settings: SyncGroupSettings;
  readonly members: VrrpInstanceCore[];
  state: VrrpStateName = 'INIT';
  numMemberFault = 0;
  numMemberInit = 0;
  private sink: Action[] = [];

  constructor(settings: SyncGroupSettings, members: VrrpInstanceCore[]) {
    this.settings = settings;
    this.name = settings.name;
    this.members = members;
    for (const m of members) m.sync = this;
    // vrrp_sync_set_group(): MASTER only if every member is an address owner wanting MASTER.
    for (const m of members) {
      if (this.state !== 'BACKUP') this.state = m.wantstate === 'MASTER' && m.basePriority === 255 ? 'MASTER' : 'BACKUP';
    }
  }

  bindSink(out: Action[], now: number): void {
    this.sink = out;
    for (const m of this.members) {
      m.sink = out;
      m.now = now;
    }
  }

  /**
   * Start the group and its members (initialise_tracking_priorities, vrrp_init_state,
   * vrrp_init_sands). `trackers[name]` / `primaryAddress[name]` are per member.
   */
  start(now: number, init: { trackers?: Record<string, readonly TrackerInit[]>; primaryAddress?: Record<string, string> } = {}): Action[] {
    return this.startOrReload(now, init, undefined);
  }

  /**
   * Start the group at a reload. `reload.old` maps a member's (new) name to the old instance
   * vrrp_exist() matched; `reload.oldState` is the state of the old group of the same name
   * (set_previous_sync_group_states: no group notifies when it is unchanged).
   */
  reload(
    now: number,
    init: { trackers?: Record<string, readonly TrackerInit[]>; primaryAddress?: Record<string, string> },
    reload: { old: ReadonlyMap<string, VrrpInstanceCore>; oldState?: VrrpStateName },
  ): Action[] {
    return this.startOrReload(now, init, reload);
  }

  private startOrReload(
    now: number,
    init: { trackers?: Record<string, readonly TrackerInit[]>; primaryAddress?: Record<string, string> },
    reload: { old: ReadonlyMap<string, VrrpInstanceCore>; oldState?: VrrpStateName } | undefined,
  ): Action[] {
    const out: Action[] = [];
    this.bindSink(out, now);
    for (const m of this.members) m.initTracking(init.trackers?.[m.name] ?? [], init.primaryAddress?.[m.name], reload !== undefined);
    for (const m of this.members) {
      if (m.state === 'FAULT') {
        if (this.state !== 'FAULT') {
          this.state = 'FAULT';
          this.log(`VRRP_Group(${this.name}): Syncing ${m.name} to FAULT state`);
        }
        this.numMemberFault++;
      }
      if (m.numScriptInit) {
        this.numMemberInit++;
        if (this.state !== 'FAULT') this.state = 'INIT';
      }
    }
    let same = false;
    if (reload) {
      // vrrp_complete_init (reload): members take their old state; the group is MASTER if all are
      for (const m of this.members) {
        const old = reload.old.get(m.name);
        if (old) m.adoptReloadState(old);
      }
      if (!this.numMemberFault && !this.numMemberInit && this.members.every((m) => m.state === 'MASTER')) this.state = 'MASTER';
      same = reload.oldState === this.state;
      if (!same && reload.oldState !== undefined && this.state !== 'FAULT' && this.state !== 'BACKUP')
        this.emit({ type: 'state-changed', owner: this.name, group: true, from: reload.oldState, to: this.state, reason: 'reload' });
    }
    if ((this.state === 'FAULT' || this.state === 'BACKUP') && !same) {
      this.emit({ type: 'state-changed', owner: this.name, group: true, from: reload?.oldState ?? 'INIT', to: this.state, reason: reload ? 'reload' : 'startup' });
      this.sendGroupNotifies();
    }
    if (reload)
      for (const m of this.members) {
        const old = reload.old.get(m.name);
        if (old) m.restoreVrrpState(old);
      }
    for (const m of this.members) m.initState();
    for (const m of this.members) m.initInstanceSands();
    return out;
  }

  /** SIGTERM for the whole group: members release, then STOP notifies for members and group. */
  stop(now: number): Action[] {
    const out: Action[] = [];
    this.bindSink(out, now);
    for (const m of this.members) m.stopRestore();
    for (const m of this.members) m.stopNotify();
    this.setState('STOP', 'stop');
    this.sendGroupNotifies();
    return out;
  }

  nextWakeup(): number | undefined {
    let t: number | undefined;
    for (const m of this.members) {
      const w = m.nextWakeup();
      if (w !== undefined && (t === undefined || w < t)) t = w;
    }
    return t;
  }

  private emit(a: Action): void {
    this.sink.push(a);
  }
  private log(message: string): void {
    this.emit({ type: 'log', owner: this.name, message });
  }
  private setState(to: VrrpStateName, reason: string): void {
    const from = this.state;
    this.state = to;
    if (from !== to) this.emit({ type: 'state-changed', owner: this.name, group: true, from, to, reason });
  }

  sendGroupNotifies(): void {
    for (const a of groupNotifyActions(this.name, this.settings.notify, this.state)) this.emit(a);
  }

  /** vrrp_sync_can_goto_master(). */
  canGotoMaster(vrrp: VrrpInstanceCore): boolean {
    if (this.state === 'MASTER') return true;
    for (const m of this.members) {
      if (m !== vrrp && m.wantstate !== 'MASTER') {
        vrrp.msDownTimer = masterDown(vrrp);
        vrrp.initInstanceSands();
        return false;
      }
    }
    return true;
  }

  /** vrrp_sync_backup(). */
  syncBackup(vrrp: VrrpInstanceCore): void {
    if (this.state === 'BACKUP') return;
    this.log(`VRRP_Group(${this.name}) Syncing instances to BACKUP state`);
    for (const m of this.members) {
      if (m === vrrp || m.state === 'BACKUP') continue;
      m.wantstate = 'BACKUP';
      if (m.state === 'FAULT' || m.state === 'INIT') m.stateLeaveFault(`sync group ${this.name}`);
      else m.stateLeaveMaster(false, `sync group ${this.name}`);
    }
    this.setState('BACKUP', `member ${vrrp.name}`);
    this.sendGroupNotifies();
  }

  /** vrrp_sync_master(). */
  syncMaster(vrrp: VrrpInstanceCore): void {
    if (this.state === 'MASTER') return;
    if (!this.canGotoMaster(vrrp)) return;
    this.log(`VRRP_Group(${this.name}) Syncing instances to MASTER state`);
    for (const m of this.members) {
      if (m !== vrrp && m.state !== 'MASTER') {
        m.wantstate = 'MASTER';
        m.masterReason = `sync group ${this.name}`;
        m.stateGotoMaster();
        m.masterReason = 'master-down timer expired';
      }
    }
    this.setState('MASTER', `member ${vrrp.name}`);
    this.sendGroupNotifies();
  }

  /** vrrp_sync_fault(). */
  syncFault(vrrp: VrrpInstanceCore): void {
    if (this.state === 'FAULT') return;
    this.log(`VRRP_Group(${this.name}) Syncing instances to FAULT state`);
    for (const m of this.members) {
      if (m !== vrrp && m.state !== 'FAULT') {
        m.wantstate = 'FAULT';
        if (m.state === 'MASTER') m.stateLeaveMaster(false, `sync group ${this.name}`);
        else if (m.state === 'BACKUP' || m.state === 'INIT') {
          const from = m.state;
          m.state = 'FAULT'; // "This is a bit of a bodge" (vrrp_sync.c)
          m.emit({ type: 'state-changed', owner: m.name, group: false, from, to: 'FAULT', reason: `sync group ${this.name}` });
          m.stateLeaveFault(`sync group ${this.name}`);
        }
      }
    }
    this.setState('FAULT', `member ${vrrp.name}`);
    this.sendGroupNotifies();
  }
}

function masterDown(v: VrrpInstanceCore): number {
  return v.masterDownInterval();
}
