/**
 * What the parent and a post worker ({@link ./post-worker.ts}) agree on. Kept apart from
 * the worker module, whose top level runs the worker.
 * @module
 */

/** The first message a post worker gets: one `MessagePort` per other worker. */
export interface PostWorkerInit {
  ports: MessagePort[];
}

/** Items in one structured-clone batch. */
export const BATCH = 256;
