// The store contract: what every storage backend must do, asserted through the stores' public
// functions only. A runner per backend hands in a factory of fresh migrated databases.
import { describe } from 'node:test';
import type { Knex } from 'knex';
import { claimsContract } from './claims.ts';
import { deliveriesStoreContract } from './deliveries.ts';
import { eventSearchContract } from './event-search.ts';
import { eventsStoreContract } from './events.ts';
import { hooksStoreContract } from './hooks.ts';
import { invocationsStoreContract } from './invocations.ts';
import { probeAndTokensContract } from './probe-and-tokens.ts';
import { webhooksStoreContract } from './webhooks.ts';

export interface OpenedDb {
  db: Knex;
  close(): Promise<void>;
}

/** A fresh, migrated, empty database each call. */
export type OpenDb = () => Promise<OpenedDb>;

export function runStoreContract(backend: string, open: OpenDb): void {
  describe(`store contract (${backend})`, () => {
    describe('events', () => eventsStoreContract(open));
    describe('finding events', () => eventSearchContract(open));
    describe('deliveries', () => deliveriesStoreContract(open));
    describe('hooks', () => hooksStoreContract(open));
    describe('webhooks', () => webhooksStoreContract(open));
    describe('invocations', () => invocationsStoreContract(open));
    describe('tokens and health probe', () => probeAndTokensContract(open));
    describe('claims and leases (several daemons)', () => claimsContract(open));
  });
}
