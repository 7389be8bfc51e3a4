// The SEIPD v1 writer of the pages that encrypt in the browser: the same
// message as the server's (crypto/seipd1.go), byte for byte in its shape,
// and as OpenPGP.js writes it for the same keys (RFC 9580, 5.13.1, CFB with
// MDC): the key packets, then an encrypted data packet of version 1 holding
// the random prefix, a literal data packet (binary, no file name, the date
// 0) and the MDC packet, the encrypted packet cut into partial body
// lengths of 256 KiB. A file streamed has its literal packet cut so too;
// one held in memory whole (WholeFile) has it in one length, so that its
// hashes run in WebCrypto. GnuPG, go-crypto and OpenPGP.js read both
// (crypto/seipdjs_test.go).
//
// Why not openpgp.encrypt: on a file's stream it took 4.9–6.7 s for 128 MiB
// in Chromium, this writer 2.3–2.9 s in the same page (2026-12-06), and
// beside the upload, the file's hash and the proofs of work OpenPGP.js
// slowed down further. Its time goes around the cipher: each piece of the
// file through several layers of streams, copies, a byte-by-byte XOR and
// a SHA-1 at 160 MB/s (in Node). Here AES runs in WebCrypto a MiB at a
// time (CFB made from AES-CBC, as OpenPGP.js itself does), and the XOR and
// the SHA-1 of a file streamed (280 MB/s in Node) work on 32-bit words.
//
//   const message = await encryptFile({ openpgp, Sha1 }, encryptionKeys, file); // a ReadableStream
//   const whole = new WholeFile(file); // or, with memory for it:
//   const message = await encryptFile({ openpgp, Sha1 }, encryptionKeys, whole);
//
// It imports nothing: the worker imports each module only after checking
// it against the page's pinned integrity (crypto-worker.js), and hands
// encryptFile OpenPGP.js and hash.js's Sha1.

// CHUNK is the partial body length of both packets, as crypto/seipd1.go's
// seipdChunk: a power of two, and at least 512.
const CHUNK = 256 << 10;
const PARTIAL = 0xe0 | 18; // the partial body length octet of CHUNK

// BATCH is how many bytes of the encrypted packet's plaintext go to
// WebCrypto at a time.
const BATCH = 1 << 20;

const BLOCK = 16; // the AES block
const SEIPD_TAG = 0xc0 | 18;
const LITERAL_TAG = 0xc0 | 11;
const MDC_HEADER = [0xc0 | 19, 20];
// The literal data packet's body starts with its format 'b' (binary), an
// empty file name and the date 0.
const LITERAL_HEADER = [0x62, 0, 0, 0, 0, 0];

// encryptFile returns a ReadableStream of plain (a Blob, or a WholeFile)
// encrypted to encryptionKeys (OpenPGP.js keys), a binary OpenPGP message
// whose literal data packet holds no file name and a zero date:
// openpgp.encrypt's message, as OpenPGP.js splits it. OpenPGP.js (the
// module openpgp) makes the session key, with the cipher it chooses from
// the keys' preferences, and its key packets; seipdStream the encrypted
// packet, with Sha1 (from hash.js) for the MDC of a file streamed. Keys
// that all ask for SEIPD v2 (RFC 9580 keys) get OpenPGP.js's own message
// in that format.
export async function encryptFile({ openpgp, Sha1 }, encryptionKeys, plain) {
  const { data, algorithm, aeadAlgorithm } = await openpgp.generateSessionKey({ encryptionKeys });
  if (aeadAlgorithm) {
    const binary = plain instanceof WholeFile ? await plain.all() : plain.stream();
    const message = await openpgp.createMessage({ binary, format: "binary", date: new Date(0) });
    return openpgp.encrypt({ message, encryptionKeys, format: "binary" });
  }
  const keyPackets = await openpgp.encryptSessionKey({ data, algorithm, encryptionKeys, format: "binary" });
  const inner = plain instanceof WholeFile ? plain.inner() : streamedInner(plain, new Sha1());
  return seipdStream(keyPackets, data, inner);
}

// WholeFile is a file read into memory whole, laid out as the plaintext
// of the encrypted packet around it: the random prefix, the literal
// packet's tag, length and header, the file, and the MDC packet. Held so,
// the MDC's SHA-1 over all of it runs in WebCrypto in one call, at its
// native speed, on a thread of its own, where a file streamed is hashed
// in JavaScript a piece at a time (WebCrypto has no incremental digest).
// In this layout the literal packet has one definite length instead of
// CHUNK-sized partial ones; the encrypted packet around it is cut as for
// a file streamed. A WholeFile is encrypted once.
//
// The file is read in as the encryption goes, READ_AHEAD bytes ahead of
// it, and its SHA-1 taken once it is whole: well before the encryption
// needs it at the end, but not at the start, where reading and hashing
// it all would slow down the proof of work that the upload waits for.
export class WholeFile {
  // new WholeFile(blob) takes the memory for blob, or fails with a
  // RangeError when it cannot be had, which the caller takes as a cue to
  // stream; then it reads blob in.
  constructor(blob) {
    const literalLength = LITERAL_HEADER.length + blob.size;
    const header = [LITERAL_TAG, ...lengthOctets(literalLength), ...LITERAL_HEADER];
    const at = BLOCK + 2 + header.length; // where the file starts
    this.bytes = new Uint8Array(at + blob.size + MDC_HEADER.length + 20);
    this.bytes.set(randomPrefix(), 0);
    this.bytes.set(header, BLOCK + 2);
    this.bytes.set(MDC_HEADER, at + blob.size);
    this.data = this.bytes.subarray(at, at + blob.size); // the file
    this.filled = at; // the bytes in place, from the start
    this.taken = 0; // the bytes the encryption has taken
    this.stopped = false; // the encryption ended early
    this.wake = null; // resolves the encryption's wait for bytes
    this.resume = null; // resolves the read's wait for the encryption
    const hashed = this.bytes.subarray(0, this.bytes.length - 20);
    this.loaded = this.#load(blob); // resolves once the file is whole
    this.mdc = this.loaded.then(() => crypto.subtle.digest("SHA-1", hashed));
    this.mdc.catch(() => {}); // counts where pieces awaits it
  }

  async #load(blob) {
    const end = this.data.byteOffset + this.data.length;
    const reader = blob.stream().getReader();
    try {
      for (;;) {
        while (this.filled - this.taken > READ_AHEAD && !this.stopped) {
          await new Promise((resolve) => { this.resume = resolve; });
        }
        if (this.stopped) return;
        const { value, done } = await reader.read();
        if (done) break;
        if (this.filled + value.length > end) throw new Error(CHANGED);
        this.bytes.set(value, this.filled);
        this.filled += value.length;
        this.wake?.();
      }
      if (this.filled !== end) throw new Error(CHANGED);
      this.filled = this.bytes.length - 20; // and the MDC packet's header
    } finally {
      await reader.cancel(); // a no-op once the file was read to its end
      this.wake?.();
    }
  }

  // all resolves with the file's bytes once they are all read in, without
  // waiting for an encryption to take them: for OpenPGP.js's own (SEIPD
  // v2), which takes them at once.
  async all() {
    this.taken = Infinity;
    this.resume?.();
    await this.loaded;
    return this.data;
  }

  // inner returns the encrypted packet's plaintext, for seipdStream: its
  // length, and its pieces, in batches as they are read in, then the
  // MDC's hash.
  inner() {
    const file = this;
    const end = this.bytes.length - 20;
    return {
      length: this.bytes.length,
      async* pieces() {
        try {
          for (let i = 0; i < end; i += BATCH) {
            const j = Math.min(i + BATCH, end);
            while (file.filled < j) {
              await Promise.race([file.loaded, new Promise((resolve) => { file.wake = resolve; })]);
            }
            file.taken = j;
            file.resume?.();
            yield file.bytes.subarray(i, j);
          }
          yield new Uint8Array(await file.mdc);
        } finally {
          file.stopped = true;
          file.resume?.();
        }
      },
    };
  }
}

// READ_AHEAD is how far a WholeFile is read ahead of its encryption: four
// chunks of 8 MiB, the upload's, with the two made ahead and the one in
// flight, so that the SHA-1 has as many to go up before it is needed.
const READ_AHEAD = 32 << 20;

// streamedInner returns the encrypted packet's plaintext for plaintext (a
// Blob) read a piece at a time, for seipdStream: its length, and its
// pieces: the prefix, the literal packet in CHUNK-sized partial lengths,
// and the MDC packet, whose hash mdc (a new SHA-1) takes of all the rest
// as it goes by. It fails if plaintext does not hold plaintext.size bytes.
function streamedInner(plaintext, mdc) {
  const literalLength = LITERAL_HEADER.length + plaintext.size;
  return {
    length: BLOCK + 2 + 1 + framedLength(literalLength) + MDC_HEADER.length + 20,
    async* pieces() {
      const framed = [];
      const hashed = (bytes) => {
        mdc.update(bytes);
        framed.push(bytes);
      };
      hashed(randomPrefix());
      hashed(new Uint8Array([LITERAL_TAG]));
      const literal = new Framer(literalLength, hashed);
      literal.write(new Uint8Array(LITERAL_HEADER));
      const reader = plaintext.stream().getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          literal.write(value);
          yield* framed.splice(0);
        }
      } finally {
        await reader.cancel(); // a no-op once the file was read to its end
      }
      literal.end();
      hashed(new Uint8Array(MDC_HEADER));
      framed.push(mdc.digest());
      yield* framed;
    },
  };
}

// randomPrefix returns the random prefix of the encrypted packet's
// plaintext: a block of random bytes, its last two repeated.
function randomPrefix() {
  const prefix = crypto.getRandomValues(new Uint8Array(BLOCK + 2));
  prefix.copyWithin(BLOCK, BLOCK - 2, BLOCK);
  return prefix;
}

// seipdStream returns a ReadableStream of the binary OpenPGP message:
// keyPackets (the public-key encrypted session key packets, bytes), then
// a SEIPD v1 packet holding inner (from WholeFile or streamedInner: its
// plaintext, MDC included) encrypted with sessionKey (AES, 16 or 32
// bytes). It encrypts a step at a time as the stream is read.
function seipdStream(keyPackets, sessionKey, inner) {
  const steps = seipdSteps(keyPackets, sessionKey, inner);
  return new ReadableStream({
    async pull(ctl) {
      const { value, done } = await steps.next();
      if (done) ctl.close();
      else for (const piece of value) ctl.enqueue(piece);
    },
    async cancel() {
      await steps.return();
    },
  }, { highWaterMark: 0 });
}

// seipdSteps yields the message as lists of pieces (Uint8Arrays that are
// not changed afterwards).
async function* seipdSteps(keyPackets, sessionKey, inner) {
  const cfb = new CfbBatches(await crypto.subtle.importKey("raw", sessionKey, "AES-CBC", false, ["encrypt"]));
  sessionKey.fill(0); // its key packets are made, and the CryptoKey holds it
  const out = [keyPackets, new Uint8Array([SEIPD_TAG])];
  const sealed = new Framer(1 + inner.length, (bytes) => out.push(bytes));
  sealed.write(new Uint8Array([1])); // the packet's version
  for await (const piece of inner.pieces()) {
    cfb.write(piece);
    if (cfb.ready()) {
      sealed.write(await cfb.encrypt(false));
      yield out.splice(0);
    }
  }
  sealed.write(await cfb.encrypt(true));
  sealed.end();
  yield out;
}

const CHANGED = "the file changed while it was read";

// Framer cuts a packet body of a known length into partial body lengths
// of CHUNK bytes and a last, shorter one (RFC 9580, 4.2.1.4), as
// crypto/seipd1.go does: a chunk of CHUNK bytes is partial even when it
// ends the body, which then ends with a length of 0. It hands each length
// header and piece of body to emit, in order, and fails on a body longer
// or shorter than announced.
class Framer {
  constructor(length, emit) {
    this.length = length;
    this.emit = emit;
    this.written = 0;
    this.nextHeader = 0; // where the next length header goes
  }

  write(bytes) {
    if (this.written + bytes.length > this.length) throw new Error(CHANGED);
    while (bytes.length > 0) {
      this.header();
      const n = Math.min(bytes.length, this.nextHeader - this.written);
      this.emit(bytes.subarray(0, n));
      this.written += n;
      bytes = bytes.subarray(n);
    }
  }

  // end writes the last header if the body ended on a chunk's boundary.
  end() {
    if (this.written !== this.length) throw new Error(CHANGED);
    this.header();
  }

  header() {
    if (this.written !== this.nextHeader) return;
    const left = this.length - this.written;
    this.emit(left >= CHUNK ? new Uint8Array([PARTIAL]) : new Uint8Array(lengthOctets(left)));
    this.nextHeader += CHUNK;
  }
}

// framedLength is the length of a body of n bytes with the length headers
// Framer puts in it.
function framedLength(n) {
  const whole = Math.floor(n / CHUNK);
  return n + whole + lengthOctets(n - whole * CHUNK).length;
}

// lengthOctets is the new-format body length of n (RFC 9580, 4.2.1).
function lengthOctets(n) {
  if (n < 192) return [n];
  if (n < 8384) return [((n - 192) >> 8) + 192, (n - 192) & 0xff];
  return [0xff, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

// CfbBatches encrypts in CFB mode with a zero IV (SEIPD v1) what is
// written to it, in batches of about BATCH bytes. CFB's keystream is AES
// of the ciphertext block before, which AES-CBC over the block before and
// the plaintext blocks gives (each CBC output is AES of a plaintext block
// XOR the previous output, that is of a ciphertext block); the CBC output
// XOR the plaintext is the ciphertext.
class CfbBatches {
  constructor(key) {
    this.key = key;
    // The block before (the last ciphertext block, zero at first), then
    // the plaintext waiting.
    this.buf = new Uint8Array(BLOCK + BATCH + CHUNK);
    this.fill = BLOCK;
  }

  write(bytes) {
    for (let i = 0; i < bytes.length;) {
      if (this.fill === this.buf.length) this.grow();
      const n = Math.min(bytes.length - i, this.buf.length - this.fill);
      this.buf.set(bytes.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
    }
  }

  grow() {
    const bigger = new Uint8Array(this.buf.length * 2);
    bigger.set(this.buf);
    this.buf = bigger;
  }

  // ready reports whether a batch is waiting.
  ready() {
    return this.fill - BLOCK >= BATCH;
  }

  // encrypt returns the ciphertext of the plaintext waiting: its whole
  // blocks, or all of it if last.
  async encrypt(last) {
    const n = this.fill - BLOCK;
    const take = last ? n : n - (n % BLOCK);
    const blocks = Math.ceil(take / BLOCK);
    // CBC over the block before and every block but the last taken; its
    // last output block is the keystream of the last block taken.
    const out = await crypto.subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(BLOCK) }, this.key,
      this.buf.subarray(0, blocks * BLOCK));
    const sealed = new Uint8Array(out, 0, take);
    xorInto(sealed, this.buf.subarray(BLOCK, BLOCK + take));
    if (!last) {
      // The last ciphertext block, then the plaintext not taken.
      this.buf.set(sealed.subarray(take - BLOCK), 0);
      this.buf.copyWithin(BLOCK, BLOCK + take, this.fill);
      this.fill -= take;
    }
    return sealed;
  }
}

// xorInto sets dst to dst XOR src (of the same length), four bytes at a
// time where both are aligned.
function xorInto(dst, src) {
  let i = 0;
  if (dst.byteOffset % 4 === 0 && src.byteOffset % 4 === 0) {
    const words = dst.length >> 2;
    const d = new Int32Array(dst.buffer, dst.byteOffset, words);
    const s = new Int32Array(src.buffer, src.byteOffset, words);
    for (let j = 0; j < words; j++) d[j] ^= s[j];
    i = words * 4;
  }
  for (; i < dst.length; i++) dst[i] ^= src[i];
}
