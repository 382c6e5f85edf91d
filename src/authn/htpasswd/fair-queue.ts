/**
 * Jobs waiting for the hash pool, taken in round-robin order: htpasswd sources take turns, and within a source,
 * client addresses take turns; one address's jobs are first in, first out. Admission is bounded in total and per
 * source, address and user, counting jobs that wait and jobs that run, so a flood from one user, one address or
 * against one source fills its own share and never the whole queue, and waits behind nobody else's flood. Pure.
 */

export interface FairKeys {
  readonly source: string;
  readonly address: string;
  readonly user: string;
}

export interface FairQueueLimits {
  /** Jobs waiting, all keys together. */
  readonly maxQueued: number;
  /** Jobs waiting or running per key. */
  readonly maxPendingPerSource: number;
  readonly maxPendingPerAddress: number;
  readonly maxPendingPerUser: number;
}

export interface Ticket<T> {
  readonly keys: FairKeys;
  readonly value: T;
}

export class FairQueue<T> {
  /** source → address → FIFO; Map order is the round-robin order (a served key moves to the end). */
  private readonly sources = new Map<string, Map<string, Array<Ticket<T>>>>();
  private readonly pending = new Map<string, number>();
  private queued = 0;

  constructor(private readonly limits: FairQueueLimits) {}

  /** Queues value, or returns undefined when the queue or one of its keys is full. */
  enqueue(keys: FairKeys, value: T): Ticket<T> | undefined {
    const { limits } = this;
    if (
      this.queued >= limits.maxQueued ||
      this.count(`s\u0000${keys.source}`) >= limits.maxPendingPerSource ||
      this.count(`a\u0000${keys.address}`) >= limits.maxPendingPerAddress ||
      this.count(userKey(keys)) >= limits.maxPendingPerUser
    )
      return undefined;
    for (const key of pendingKeys(keys)) this.pending.set(key, this.count(key) + 1);
    const ticket = { keys, value };
    const addresses = this.sources.get(keys.source) ?? new Map<string, Array<Ticket<T>>>();
    this.sources.set(keys.source, addresses);
    const fifo = addresses.get(keys.address) ?? [];
    addresses.set(keys.address, fifo);
    fifo.push(ticket);
    this.queued++;
    return ticket;
  }

  /** The ticket next() returns, left in the queue. */
  peek(): Ticket<T> | undefined {
    const addresses = this.sources.values().next().value;
    return addresses?.values().next().value?.[0];
  }

  /** The next ticket in round-robin order; it stays pending (counted against its keys) until done(). */
  next(): Ticket<T> | undefined {
    const first = this.sources.entries().next();
    if (first.done) return undefined;
    const [source, addresses] = first.value;
    const [address, fifo] = addresses.entries().next().value as [string, Array<Ticket<T>>];
    const ticket = fifo.shift() as Ticket<T>;
    this.queued--;
    addresses.delete(address);
    if (fifo.length > 0) addresses.set(address, fifo);
    this.sources.delete(source);
    if (addresses.size > 0) this.sources.set(source, addresses);
    return ticket;
  }

  /** Takes a still-waiting ticket out of the queue (its deadline passed); true when it was waiting. */
  cancel(ticket: Ticket<T>): boolean {
    const addresses = this.sources.get(ticket.keys.source);
    const fifo = addresses?.get(ticket.keys.address);
    // A FIFO holds at most maxPendingPerAddress tickets: the search is bounded.
    const index = fifo?.indexOf(ticket) ?? -1;
    if (!addresses || !fifo || index === -1) return false;
    fifo.splice(index, 1);
    this.queued--;
    if (fifo.length === 0) addresses.delete(ticket.keys.address);
    if (addresses.size === 0) this.sources.delete(ticket.keys.source);
    return true;
  }

  /** The ticket no longer waits or runs: its keys get their share back. */
  done(ticket: Ticket<T>): void {
    for (const key of pendingKeys(ticket.keys)) {
      const n = this.count(key) - 1;
      if (n > 0) this.pending.set(key, n);
      else this.pending.delete(key);
    }
  }

  get size(): number {
    return this.queued;
  }

  private count(key: string): number {
    return this.pending.get(key) ?? 0;
  }
}

const userKey = (keys: FairKeys) => `u\u0000${keys.source}\u0000${keys.user}`;
const pendingKeys = (keys: FairKeys) => [`s\u0000${keys.source}`, `a\u0000${keys.address}`, userKey(keys)];
