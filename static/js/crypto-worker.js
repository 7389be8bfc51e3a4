// The heavy work of the pages that encrypt and decrypt in the browser,
// off the page's thread: OpenPGP encryption and decryption, SHA-256 of
// files, and the proof of work. A page that runs them itself freezes for
// seconds on a large file (no input, no progress shown); in a worker, the
// page keeps painting its progress bars and answering the source.
//
// One file, two sides. Imported by a page (submit.js, casework.js), it
// exports startWorker; run as a module worker, it answers the page's calls.
//
// Loading and integrity: a page preloads this module, OpenPGP.js,
// seipd.js and hash.js with <link rel="modulepreload" integrity=…>, as
// for its own modules. A worker's script and what it imports cannot carry
// Subresource Integrity, so each is fetched with fetch(url, {integrity})
// first, which fails unless the bytes served match the page's pinned hash,
// and only then started or imported, from the same content-hashed,
// immutable URL: the page checks this file before new Worker(url), the
// worker checks OpenPGP.js, seipd.js and hash.js before import(). The
// policy of the pages that run scripts allows workers and scripts of this
// origin only (worker-src 'self', script-src 'self').

const inWorker = typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope;

// fetchVerified fetches url and fails unless its bytes match integrity:
// the page's check of this file, the worker's of what it imports.
async function fetchVerified(url, integrity) {
  const r = await fetch(url, { integrity, credentials: "omit" });
  if (!r.ok) throw new Error("could not load " + url);
  await r.arrayBuffer();
}

// ------------------------------------------------------------ page side

// startWorker starts this file as a worker that has imported the modules
// given by URL (OpenPGP.js, seipd.js, hash.js), each checked against the
// integrity value of the page's modulepreload link for it. url is this
// module's own URL (the page's data-worker).
export async function startWorker(url, modules) {
  await fetchVerified(url, pinnedIntegrity(url));
  const worker = new Worker(url, { type: "module" });
  const client = new WorkerClient(worker);
  await client.call("init", {
    modules: modules.map((url) => ({ url, integrity: pinnedIntegrity(url) })),
    wholeLimit: wholeFileLimit(),
  });
  return client;
}

// wholeFileLimit is the size of the largest file the workers read into
// memory whole, so that its hashes run in WebCrypto, at native speed,
// rather than in JavaScript a piece at a time, five times slower or more:
// the MDC's SHA-1 in the worker that encrypts it (WholeFile, in
// seipd.js), the manifest's SHA-256 in the one that hashes it. Each holds
// the file, and for a moment WebCrypto's copy of it: up to four times its
// size in all. The limit is a 32nd of the device's memory where the
// browser tells it (navigator.deviceMemory, Chromium's, rounded and at
// most 8 GiB: 256 MiB), else 64 MiB; a larger file streams.
function wholeFileLimit() {
  const gib = navigator.deviceMemory;
  return gib > 0 ? gib * (32 << 20) : 64 << 20;
}

// pinnedIntegrity returns the integrity value the page pins url with.
function pinnedIntegrity(url) {
  const link = Array.from(document.querySelectorAll("link[rel=modulepreload]")).find((l) => l.getAttribute("href") === url);
  if (!link || !link.integrity) throw new Error("no pinned integrity for " + url);
  return link.integrity;
}

// WorkerClient calls the worker's operations: call(op, args, transfer)
// resolves with the result or rejects with the worker's error. Progress
// reports of a job go to the onProgress given with its call.
class WorkerClient {
  constructor(worker) {
    this.worker = worker;
    this.next = 0;
    this.calls = new Map();
    this.progress = new Map();
    worker.onmessage = ({ data }) => {
      if (data.progress !== undefined) {
        const report = this.progress.get(data.progress);
        if (report) report(data.value);
        return;
      }
      const call = this.calls.get(data.id);
      this.calls.delete(data.id);
      if (data.error !== undefined) call.reject(new Error(data.error));
      else call.resolve(data.result);
    };
    // The worker could not load or crashed: every call waiting fails.
    worker.onerror = (event) => {
      event.preventDefault();
      for (const call of this.calls.values()) call.reject(new Error("the worker failed: " + (event.message || "not loaded")));
      this.calls.clear();
    };
  }

  call(op, args = {}, transfer = []) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args }, transfer);
    });
  }

  // job returns a new job id whose progress reports (bytes done, or a
  // proof's counters as they are found) go to onProgress until end(job).
  job(onProgress) {
    const job = this.next++;
    this.progress.set(job, onProgress);
    return job;
  }

  end(job) {
    this.progress.delete(job);
  }

  terminate() {
    this.worker.terminate();
  }

  // solveTogether solves a proof of work (the pow call's args) in this
  // worker and in helper at once: this one from the solver's first
  // counter up, helper from HELPER_OFFSET further up, while it encrypts
  // nothing (see pow). The first counters found by either, in increasing
  // order, answer it; then both stop.
  solveTogether(helper, args) {
    return new Promise((resolve, reject) => {
      const found = [];
      const jobs = [];
      const stop = () => {
        for (const [worker, job] of jobs) {
          worker.end(job);
          worker.call("stopPow", { job }).catch(() => {});
        }
      };
      const onFound = (counter) => {
        if (found.length === args.solutions) return;
        found.push(counter);
        if (found.length === args.solutions) {
          stop();
          resolve(found.sort((a, b) => a - b));
        }
      };
      for (const [worker, more] of [[this, {}], [helper, { offset: HELPER_OFFSET, helping: true }]]) {
        const job = worker.job(onFound);
        jobs.push([worker, job]);
        worker.call("pow", { ...args, ...more, job }).catch((e) => {
          stop();
          reject(e);
        });
      }
    });
  }
}

// HELPER_OFFSET is how far above the solver's counters the helper of
// solveTogether starts: beyond any the solver reaches, with the counters
// of both below 10^15 (solvePow).
const HELPER_OFFSET = 4e14;

// ---------------------------------------------------------- worker side

// The modules this worker has imported, by the names they export.
let openpgp = null;
let encryptFile = null;
let WholeFile = null;
let Sha256 = null;
let Sha1 = null;
let solvePow = null;
// The proofs of work being solved (pow), each with its urgency.
const solving = new Set();
let encryptionKeys = null;
// The largest file read into memory whole (the page's wholeFileLimit).
let wholeLimit = 0;
// The encryption jobs under way, by job id (see encrypt).
const jobs = new Map();

// PROGRESS_STEP is how many bytes a job works through between reports.
const PROGRESS_STEP = 1 << 20;

const operations = {
  // init imports the modules, each checked against its pinned integrity,
  // and takes the page's wholeFileLimit.
  async init({ modules, wholeLimit: limit }) {
    wholeLimit = limit;
    for (const { url, integrity } of modules) {
      await fetchVerified(url, integrity);
      const m = await import(url);
      if (m.encrypt) openpgp = m;
      if (m.encryptFile) ({ encryptFile, WholeFile } = m);
      if (m.Sha256) ({ Sha256, Sha1, solvePow } = m);
    }
  },

  // pow solves a proof-of-work challenge (solvePow in hash.js). Proofs
  // asked for at once take turns by urgency (the page gives an upload's
  // size): every 2^16 tries a proof lets the worker take its messages,
  // and goes on only while no more urgent one is being solved. A file's
  // proof chosen while the submission's is solved goes first, since the
  // file's upload waits for it and the submission's is needed last.
  //
  // Given a job, the proof reports each counter it finds as the job's
  // progress, and stops at stopPow(job): the page has the worker that
  // encrypts help the one that solves (WorkerClient.solveTogether), from
  // offset counters further up. A helper tries counters only while this
  // worker encrypts nothing (before the source presses the button, or
  // once the chunks ahead of the upload are made); it waits while the
  // encryption reads and makes ciphertext.
  async pow({ token, bits, solutions, urgency = 0, job, offset = 0, helping = false }) {
    const solve = { urgency, job, stopped: false, halt: null };
    const halted = new Promise((resolve) => { solve.halt = resolve; });
    solving.add(solve);
    const busy = () => helping && filling > 0;
    try {
      return await solvePow(token, bits, solutions, async () => {
        do await (busy() ? Promise.race([encryptionIdle(), halted]) : yieldToEvents());
        while (!solve.stopped && (busy() || Array.from(solving).some((other) => other.urgency > solve.urgency)));
        return !solve.stopped;
      }, {
        offset,
        onFound: (counter) => { if (job !== undefined) self.postMessage({ progress: job, value: counter }); },
      });
    } finally {
      solving.delete(solve);
    }
  },

  // stopPow stops the proof of job (see pow) at its next pause.
  stopPow({ job }) {
    for (const solve of solving) {
      if (solve.job === job) {
        solve.stopped = true;
        solve.halt();
      }
    }
  },

  // readKeys parses the desk's keys for encryption and checks that each is
  // a public key, and the one announced under its fingerprint where the
  // page was given one (the intake's desk API announces them; the
  // casework API for investigators gives the keys alone).
  async readKeys({ keys }) {
    const parsed = [];
    for (const k of keys) {
      const key = await openpgp.readKey({ armoredKey: k.armored });
      if ((k.fingerprint !== undefined && key.getFingerprint().toUpperCase() !== k.fingerprint) || key.isPrivate()) {
        throw new Error("the desk's key does not match its fingerprint");
      }
      parsed.push(key);
    }
    if (parsed.length === 0) throw new Error("the desk has no key");
    encryptionKeys = parsed;
  },

  // sha256 returns the SHA-256 (hex) of data, a Blob or bytes: in
  // WebCrypto if it fits in memory (fitsInMemory), else in JavaScript a
  // piece at a time. The intake page has its second worker hash each file
  // the first streams while it encrypts it: on two cores, not one after
  // the other.
  async sha256({ data }) {
    const blob = new Blob([data]);
    const bytes = fitsInMemory(blob.size) ? await blob.arrayBuffer().catch(() => null) : null;
    if (bytes) return hex(await crypto.subtle.digest("SHA-256", bytes));
    const hash = new Sha256();
    const reader = blob.stream().getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return hash.hex();
      hash.update(value);
    }
  },

  // encrypt starts job: data (a Blob or bytes) becomes a binary OpenPGP
  // message to the keys of readKeys (encryptFile, in seipd.js). The
  // literal data packet holds no file name and a zero date, as the
  // server's own encryption writes it.
  // The ciphertext is made ahead of what chunk takes, up to ahead bytes,
  // and waits there: encryption goes on while the page solves a proof of
  // work or uploads. A file that fits in memory (readWhole) is read into
  // it whole, as it is encrypted; a larger one streams, never held whole.
  //
  // Progress reports count the ciphertext made, up to the size of data.
  async encrypt({ job, data, ahead }) {
    const plain = new Blob([data]);
    const out = await encryptFile({ openpgp, Sha1 }, encryptionKeys, readWhole(plain) ?? plain);
    let reported = 0;
    jobs.set(job, new AheadBuffer(out.getReader(), ahead, (made, ended) => {
      const done = ended ? plain.size : Math.min(made, plain.size);
      if (ended || done - reported >= PROGRESS_STEP) {
        reported = done;
        self.postMessage({ progress: job, value: done });
      }
    }));
  },

  // cancel ends job before its last chunk (its upload session is gone,
  // or the submission failed): the ciphertext made ahead is let go.
  async cancel({ job }) {
    const j = jobs.get(job);
    jobs.delete(job);
    if (j) await j.cancel();
  },

  // encryptWhole returns data (a Blob or bytes) as one binary OpenPGP
  // message to the keys of readKeys, as a Blob: for the mailbox's
  // follow-up form and the case page's documents, whose files go in one
  // request. The literal data packet holds no file name and a zero date,
  // as in encrypt.
  async encryptWhole({ data }) {
    const plain = new Blob([data]);
    return new Response(await encryptFile({ openpgp, Sha1 }, encryptionKeys, readWhole(plain) ?? plain)).blob();
  },

  // chunk returns the next size bytes of job's ciphertext (fewer only for
  // the last) as a Blob.
  // A Blob, not bytes: the page sends it with fetch, which copies bytes
  // on the page's thread before it sends them (hundreds of milliseconds
  // for 8 MiB on a busy machine, seconds with DevTools open) but hands a
  // Blob over as it is. Made here, the Blob's copy is the worker's work.
  async chunk({ job, size }) {
    const j = jobs.get(job);
    const { pieces, last } = await j.take(size);
    if (last) jobs.delete(job);
    return { chunk: new Blob(pieces), last };
  },

  // decryptToFile unlocks the armored private key with passphrase,
  // downloads url, an OpenPGP message, decrypts it and checks its SHA-256
  // against sha256 (when given). It writes the plaintext to handle, a file
  // the investigator picked, or returns it as a Blob. Nothing is kept unless OpenPGP.js
  // reached the end of the message with its integrity check passed and
  // the hash matches: the picked file is written through a temporary file
  // that the browser discards on abort.
  async decryptToFile({ job, url, key, passphrase, sha256, handle }) {
    let decryptionKeys;
    try {
      decryptionKeys = await openpgp.decryptKey({ privateKey: await openpgp.readPrivateKey({ armoredKey: key }), passphrase });
    } catch {
      throw new Error("Wrong passphrase for this key.");
    }
    const res = await fetch(url, { credentials: "same-origin" });
    if (!res.ok) {
      let message = "Could not download the file (" + res.status + ").";
      try {
        message = (await res.json()).error.message || message;
      } catch {
        // not the API's JSON: keep the generic message
      }
      throw new Error(message);
    }
    const altered = (e) => new Error("Decryption failed, or the ciphertext was altered: " + (e.message || e));
    let data;
    try {
      const message = await openpgp.readMessage({ binaryMessage: res.body });
      ({ data } = await openpgp.decrypt({
        message, decryptionKeys, format: "binary", config: { allowUnauthenticatedStream: true },
      }));
    } catch (e) {
      throw altered(e);
    }
    const hash = new Sha256();
    let done = 0;
    let reported = 0;
    const plain = data.pipeThrough(new TransformStream({
      transform(piece, ctl) {
        hash.update(piece);
        done += piece.length;
        if (done - reported >= PROGRESS_STEP) {
          reported = done;
          self.postMessage({ progress: job, value: done });
        }
        ctl.enqueue(piece);
      },
    }));
    const mismatch = "The decrypted file does not match its SHA-256.";
    const checkSum = () => {
      if (sha256 && hash.hex() !== sha256.toLowerCase()) throw new Error(mismatch);
    };
    if (handle) {
      const writable = await handle.createWritable();
      try {
        await plain.pipeTo(writable, { preventClose: true });
        checkSum();
      } catch (e) {
        await writable.abort().catch(() => {});
        throw e.message === mismatch ? e : altered(e);
      }
      await writable.close();
      return null;
    }
    let blob;
    try {
      blob = await new Response(plain).blob();
    } catch (e) {
      throw altered(e);
    }
    checkSum();
    return blob;
  },
};

// fitsInMemory reports whether a file of size bytes is read into memory
// whole (see wholeFileLimit).
function fitsInMemory(size) {
  return size <= wholeLimit;
}

// readWhole starts reading blob into a WholeFile if it fits in memory and
// the memory can be had, or returns null: blob is to be streamed.
function readWhole(blob) {
  if (!fitsInMemory(blob.size)) return null;
  try {
    return new WholeFile(blob);
  } catch {
    return null; // no memory for it
  }
}

// hex is bytes (an ArrayBuffer) in lowercase hex.
function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

// YIELD_STEP is how many bytes an AheadBuffer reads between turns of the
// worker's event loop.
const YIELD_STEP = 1 << 20;

// yieldToEvents lets the worker's event loop take the messages waiting
// (the page's call for the next chunk) before it goes on. OpenPGP.js and
// the file's stream answer reads with promises only: without a turn, a
// call waited until the buffer was full, and the first chunk went up only
// once two were made (a second late).
// Each waiter gets its own turn, in order.
const turns = new MessageChannel();
const turnsWaiting = [];
turns.port1.onmessage = () => turnsWaiting.shift()();
function yieldToEvents() {
  return new Promise((resolve) => {
    turnsWaiting.push(resolve);
    turns.port2.postMessage(null);
  });
}

// filling is how many AheadBuffers are reading, that is encrypting: a
// proof helping in this worker (pow) waits for none to be. The promise of
// encryptionIdle resolves when none is.
let filling = 0;
let idle = null; // { promise, resolve } while filling
function encryptionIdle() {
  if (filling === 0) return Promise.resolve();
  if (!idle) {
    idle = {};
    idle.promise = new Promise((resolve) => { idle.resolve = resolve; });
  }
  return idle.promise;
}

// AheadBuffer reads a stream ahead of its consumer, up to limit bytes,
// and hands its bytes out in pieces of the sizes asked for. onRead gets
// the bytes read so far after each read, and whether the stream ended.
class AheadBuffer {
  constructor(reader, limit, onRead) {
    this.reader = reader;
    this.limit = limit;
    this.onRead = onRead;
    this.read = 0; // bytes read in all
    this.pieces = []; // read and not yet taken, in order
    this.held = 0; // their bytes
    this.ended = false;
    this.failure = null;
    this.wake = null; // resolves the take waiting for bytes
    this.reading = false;
    this.fill();
  }

  // fill reads until limit bytes are held or the stream ends.
  async fill() {
    if (this.reading) return;
    this.reading = true;
    filling++;
    try {
      for (let sinceYield = 0; !this.ended && this.held < this.limit;) {
        if (sinceYield >= YIELD_STEP) {
          sinceYield = 0;
          await yieldToEvents();
        }
        const { value, done } = await this.reader.read();
        if (value) sinceYield += value.length;
        if (done) this.ended = true;
        else {
          this.pieces.push(value);
          this.held += value.length;
          this.read += value.length;
        }
        this.onRead(this.read, this.ended);
        this.notify();
      }
    } catch (e) {
      this.failure = e;
      this.notify();
    } finally {
      this.reading = false;
      if (--filling === 0 && idle) {
        idle.resolve();
        idle = null;
      }
    }
  }

  notify() {
    if (this.wake) this.wake();
  }

  // cancel stops reading and lets go of the bytes held; a take waiting
  // for more gets none.
  async cancel() {
    this.ended = true;
    this.pieces = [];
    this.held = 0;
    this.notify();
    await this.reader.cancel().catch(() => {});
  }

  // take returns the next size bytes (fewer only at the end of the
  // stream), as the pieces read, and whether they are the last.
  async take(size) {
    this.limit = Math.max(this.limit, size + 1);
    while (!this.failure && !this.ended && this.held < size + 1) {
      // One byte more than asked: then these are not the last.
      await new Promise((resolve) => {
        this.wake = resolve;
        this.fill();
      });
      this.wake = null;
    }
    if (this.failure) throw this.failure;
    const pieces = [];
    for (let want = Math.min(size, this.held); want > 0;) {
      const piece = this.pieces[0];
      const n = Math.min(piece.length, want);
      pieces.push(piece.subarray(0, n));
      want -= n;
      this.held -= n;
      if (n === piece.length) this.pieces.shift();
      else this.pieces[0] = piece.subarray(n);
    }
    this.fill();
    return { pieces, last: this.ended && this.held === 0 };
  }
}

if (inWorker) {
  self.onmessage = async ({ data: { id, op, args } }) => {
    try {
      self.postMessage({ id, result: await operations[op](args) });
    } catch (e) {
      self.postMessage({ id, error: (e && e.message) || String(e) });
    }
  };
}
