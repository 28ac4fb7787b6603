/** A byte limit on a streamed request body, which a `Content-Length` alone cannot enforce (chunked uploads). */
import { Transform, type TransformCallback } from 'node:stream';

export class UploadTooLarge extends Error {}

/** Passes bytes through until more than `max` have come, then fails the stream with `UploadTooLarge`. */
export class ByteLimit extends Transform {
  /** Set when the limit was passed, so that the reader's failure can be told apart from a bad body. */
  exceeded = false;
  private seen = 0;

  constructor(private readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) {
      this.exceeded = true;
      done(new UploadTooLarge());
      return;
    }
    done(null, chunk);
  }
}
