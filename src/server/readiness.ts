/**
 * Whether the server is ready for traffic (GET /health/ready): not while it starts (the store's
 * migrations, the listeners, with --demo the demo load), ready once every awaited step is done, and
 * not again from the moment it starts to stop, so that a load balancer stops sending before the
 * listeners close.
 */
export type ReadinessState = 'starting' | 'ready' | 'stopping';

export class Readiness {
  private readonly waiting: Set<string>;
  private stopping = false;

  constructor(steps: readonly string[]) {
    this.waiting = new Set(steps);
  }

  /** One awaited step is done. */
  done(step: string): void {
    this.waiting.delete(step);
  }

  stop(): void {
    this.stopping = true;
  }

  get state(): ReadinessState {
    if (this.stopping) return 'stopping';
    return this.waiting.size === 0 ? 'ready' : 'starting';
  }
}
