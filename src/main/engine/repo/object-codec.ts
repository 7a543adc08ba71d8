import { createSecretKey, type KeyObject } from 'node:crypto';
import { blobIdOf } from './blob-id.ts';
import type { StorageBackend } from '../storage/backend.ts';
import {
  DecryptingDecoder,
  EncryptingEncoder,
  PlainDecoder,
  PlainEncoder,
  decodeAll,
  encodeAll,
  readEncryptedRange,
  readPlainRange,
  objectHeader,
  sealedRange,
  type HeaderCache,
  type ObjectDecoder,
  type ObjectEncoder,
} from '../crypto/object-cipher.ts';
import type { Subkeys } from '../crypto/subkeys.ts';

/**
 * How one backup turns payloads into stored objects and blob contents into
 * ids: encrypted with its subkeys, or plain. Everything above this layer is
 * the same for both kinds of backup.
 */
/** A small most-recently-used map of object headers (41 bytes each). */
class HeaderLru implements HeaderCache {
  private readonly map = new Map<string, Promise<Buffer>>();
  get(key: string): Promise<Buffer> | undefined {
    const value = this.map.get(key);
    if (value) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, header: Promise<Buffer>): void {
    this.map.delete(key);
    this.map.set(key, header);
    if (this.map.size > 256) this.map.delete(this.map.keys().next().value!);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

export class ObjectCodec {
  readonly backend: StorageBackend;
  readonly keys: Subkeys | undefined;
  private readonly headers = new HeaderLru();
  /** Imported once: a blob id is computed for every chunk. */
  private readonly blobIdKey: KeyObject | undefined;

  constructor(backend: StorageBackend, keys: Subkeys | undefined) {
    this.backend = backend;
    this.keys = keys;
    this.blobIdKey = keys ? createSecretKey(keys.blobId) : undefined;
  }

  get encrypted(): boolean {
    return this.keys !== undefined;
  }

  encoder(key: string): ObjectEncoder {
    return this.keys ? new EncryptingEncoder(this.keys.enc, key) : new PlainEncoder();
  }

  decoder(key: string): ObjectDecoder {
    return this.keys ? new DecryptingDecoder(this.keys.enc, key) : new PlainDecoder(key);
  }

  blobId(data: Buffer): string {
    return blobIdOf(this.blobIdKey, data);
  }

  /**
   * Stores an object; returns its stored size. A payload given in pieces
   * (a large index file) is encoded while the store writes it, a piece at a
   * time, instead of whole and then copied whole again.
   */
  async writeObject(key: string, payload: Buffer | Iterable<Buffer>): Promise<number> {
    const encoder = this.encoder(key);
    if (Buffer.isBuffer(payload)) {
      const stored = encodeAll(encoder, payload);
      await this.backend.put(key, stored);
      return stored.length;
    }
    const pieces: Iterable<Buffer> = payload;
    let size = 0;
    async function* encoded(): AsyncGenerator<Buffer> {
      for (const piece of pieces) yield* counted(encoder.update(piece));
      yield* counted(encoder.final());
    }
    function* counted(parts: Buffer[]): Generator<Buffer> {
      for (const part of parts) {
        size += part.length;
        yield part;
      }
    }
    await this.backend.put(key, encoded());
    return size;
  }

  async readObject(key: string): Promise<Buffer> {
    return decodeAll(this.decoder(key), await this.backend.get(key));
  }

  /** Decoded payload of a stored object, streamed. */
  async *readObjectStream(key: string): AsyncIterable<Buffer> {
    const decoder = this.decoder(key);
    for await (const part of this.backend.getStream(key)) yield* decoder.update(part);
    yield* decoder.final();
  }

  /**
   * The stored bytes that hold payload bytes [offset, offset+length) of an
   * encrypted object, with its header: what openSealedRange() needs, wherever it runs.
   */
  async readSealed(key: string, payloadLength: number, offset: number, length: number): Promise<{ header: Buffer; sealed: Buffer }> {
    const read = (start: number, len: number) => this.backend.getRange(key, start, len);
    const header = await objectHeader(key, read, this.headers);
    const range = sealedRange(payloadLength, offset, length);
    return { header, sealed: await read(range.start, range.length) };
  }

  readRange(key: string, payloadLength: number, offset: number, length: number): Promise<Buffer> {
    const read = (start: number, len: number) => this.backend.getRange(key, start, len);
    return this.keys
      ? readEncryptedRange(this.keys.enc, key, payloadLength, read, offset, length, this.headers)
      : readPlainRange(key, payloadLength, read, offset, length);
  }
}
