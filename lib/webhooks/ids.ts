// Ids of webhooks ("wh_...") and deliveries ("msg_...", sent as webhook-id): prefixed so a
// receiver's logs say what they are, random so they reveal nothing.
import { randomBytes } from 'node:crypto';

export const newWebhookId = (): string => `wh_${randomBytes(12).toString('hex')}`;
export const newDeliveryId = (): string => `msg_${randomBytes(16).toString('hex')}`;
