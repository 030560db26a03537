// The central event bus (eventemitter3), in the main thread: the one fan-out point for
// progress and for live views of business events and hook outcomes.
import { EventEmitter } from 'eventemitter3';

export interface BusMessage {
  /** 'progress' for progress-kind events, 'event' for accepted business events, 'hook' for outcomes. */
  channel: 'progress' | 'event' | 'hook';
  type: string;
  id?: string;
  key?: string;
  data: unknown;
  at: string;
  /** Set when another daemon on the same database sent it (its instance id): it is not sent back. */
  origin?: string;
}

export interface BusEvents {
  message: (message: BusMessage) => void;
}

export type Bus = EventEmitter<BusEvents>;

export function createBus(): Bus {
  return new EventEmitter<BusEvents>();
}
