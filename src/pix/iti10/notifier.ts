/**
 * Decides who hears of a change: for each configured PIX Consumer, the person's identifiers in the
 * consumer's domains of interest (all domains when it names none) go into the durable outbox, in the
 * same transaction as the change. The dispatcher sends them after commit.
 */
import type { PixConsumerConfig, Config } from '../../kernel/config.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { WriteTx } from '../../store/types.ts';
import { buildA31 } from './notification.ts';

export const ITI10_CHANNEL = 'iti10';

export class PixNotifier {
  constructor(
    private readonly consumers: readonly PixConsumerConfig[],
    private readonly node: Config['node'],
    private readonly identity: IdentityService,
    private readonly nextControlId: () => string,
  ) {}

  get enabled(): boolean {
    return this.consumers.length > 0;
  }

  async enqueue(tx: WriteTx, personId: number): Promise<void> {
    if (this.consumers.length === 0) return;
    const person = await tx.identity.person(personId);
    if (!person) return;
    const all = await this.identity.identifiersOf(tx, person);
    for (const c of this.consumers) {
      const ids = c.domains.length === 0 ? all : all.filter((i) => c.domains.includes(i.domain.oid) || c.domains.includes(i.domain.namespace));
      if (ids.length === 0) continue;
      const payload = buildA31(
        {
          sendingApplication: this.node.application,
          sendingFacility: this.node.facility,
          receivingApplication: c.application,
          receivingFacility: c.facility,
        },
        ids,
        this.nextControlId(),
      );
      await tx.outbox.enqueue(ITI10_CHANNEL, c.name, Buffer.from(payload, 'utf8'));
    }
  }
}
