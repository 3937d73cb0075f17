/**
 * The one interface the transport needs from a runtime: post a value (with a transfer
 * list), receive values, close. Runtime adapters (`src/runtime/`) turn a worker, the
 * worker's parent port or a `MessagePort` into an `Endpoint` (as comlink's endpoint).
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const a = portEndpoint(port1);
 * a.listen((data) => console.log(data));
 * a.post(new Uint8Array(4), [/* transfer *\/]);
 * ```
 * @module
 */
/** What an endpoint can move instead of copying: frame buffers and ports. */
export type Transfer = ArrayBuffer | MessagePort;

export interface Endpoint {
  /** Sends `data`; buffers in `transfer` are moved, not copied. */
  post(data: unknown, transfer?: Transfer[]): void;
  /** Sets the one handler for incoming data (replaces any earlier one). */
  listen(handler: (data: unknown) => void): void;
  /** Stops receiving and releases the underlying port. */
  close(): void;
  /**
   * Optional: copies a frame's bytes out now (the caller may reuse `frame`) and returns
   * true, or returns false to have it posted with {@link post} (a shared-memory ring with
   * no room, see ring-endpoint.ts). Endpoints without it get every frame through `post`.
   */
  postBytes?(frame: Uint8Array): boolean;
}
