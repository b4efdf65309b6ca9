/**
 * What stands between the syslog listeners and the audit ingest so that no sender can fill the disk:
 * while the data folder is short of space (the free-space guard) every received message is dropped,
 * and otherwise each source's quota applies (sourceQuota.ts). Dropped messages are counted and
 * logged, never stored; flow control (`congested`) is the ingest's own.
 */
import type { Logger } from '../../kernel/logger.ts';
import type { SyslogSink } from '../syslog/streamListener.ts';
import type { ReceivedSyslog } from './receivedAudit.ts';
import type { SourceQuota } from './sourceQuota.ts';

export interface IntakeStats {
  /** Dropped while the data folder was short of space. */
  droppedNoSpace: number;
  /** Dropped over a source's quota. */
  droppedOverQuota: number;
}

export class IntakeLimits implements SyslogSink {
  readonly stats: IntakeStats = { droppedNoSpace: 0, droppedOverQuota: 0 };
  private noSpaceSince?: number;

  constructor(
    private readonly sink: SyslogSink,
    private readonly quota: SourceQuota,
    private readonly space: { readonly low: boolean },
    private readonly log: Logger,
  ) {}

  get congested(): boolean {
    return this.sink.congested;
  }

  on(event: 'drain', listener: () => void): this {
    this.sink.on(event, listener);
    return this;
  }

  off(event: 'drain', listener: () => void): this {
    this.sink.off(event, listener);
    return this;
  }

  submit(m: ReceivedSyslog): void {
    if (this.space.low) {
      if (this.noSpaceSince === undefined) {
        this.noSpaceSince = this.stats.droppedNoSpace;
        this.log.warn('syslog.dropped-no-space', { transport: m.transport, peer: m.peer.address });
      }
      this.stats.droppedNoSpace++;
      return;
    }
    if (this.noSpaceSince !== undefined) {
      this.log.warn('syslog.dropped-no-space-ended', { dropped: this.stats.droppedNoSpace - this.noSpaceSince });
      this.noSpaceSince = undefined;
    }
    if (!this.quota.admit(m.peer.address, m.bytes.length)) {
      this.stats.droppedOverQuota++;
      return;
    }
    this.sink.submit(m);
  }
}
