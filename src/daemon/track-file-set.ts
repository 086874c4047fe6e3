/**
 * The track_files one process watches: one FileTracker per track_file that something in the
 * config follows (VRRP instances and sync groups in the VRRP process, FILE_CHECKs in the
 * checker process). init_file is applied when a file starts being watched; a reload keeps the
 * trackers whose path is unchanged, with their last value, as keepalived does.
 */
import type { TrackFile } from '../config/model/trackers.js';
import { FileTracker, initTrackFile } from '../platform/linux/track-file.js';
import type { LogFn } from '../platform/linux/driver-log.js';

export class TrackFileSet {
  private readonly files = new Map<string, { path: string; tracker: FileTracker }>();
  private readonly listeners: ((name: string, value: number) => void)[] = [];

  constructor(private readonly log: LogFn) {}

  onChange(cb: (name: string, value: number) => void): void {
    this.listeners.push(cb);
  }

  /** Watch the track_files named in `used` (and only those); `reload`: init_file never overwrites. */
  apply(trackFiles: readonly TrackFile[], used: ReadonlySet<string>, reload: boolean): void {
    const wanted = new Map(trackFiles.filter((f) => used.has(f.name) && f.filePath).map((f) => [f.name, f]));
    for (const [name, f] of this.files)
      if (wanted.get(name)?.filePath !== f.path) {
        f.tracker.stop();
        this.files.delete(name);
      }
    for (const [name, f] of wanted) {
      if (this.files.has(name)) continue;
      const filePath = f.filePath!;
      if (f.init) {
        const err = initTrackFile(name, filePath, f.init, { reload });
        if (err) this.log('error', err);
      }
      const tracker = new FileTracker({ name, filePath, onChange: (value) => this.emit(name, value), log: this.log });
      tracker.start();
      this.files.set(name, { path: filePath, tracker });
    }
  }

  /** Each watched file's current value (0 while missing or unreadable). */
  values(): Map<string, number> {
    return new Map([...this.files].map(([name, f]) => [name, f.tracker.value]));
  }

  trackers(): FileTracker[] {
    return [...this.files.values()].map((f) => f.tracker);
  }

  close(): void {
    for (const f of this.files.values()) f.tracker.stop();
    this.files.clear();
  }

  private emit(name: string, value: number): void {
    for (const l of this.listeners) l(name, value);
  }
}
