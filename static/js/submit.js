// Encryption in the browser for the desk form (templates/intake_desk.html).
//
// The form works without JavaScript: the server then encrypts what it
// receives, in memory. With this script, the same form is encrypted here
// before anything leaves the browser: a manifest (the answers and the list
// of files, in the JSON format of intake.Manifest) and each file become
// OpenPGP messages to the desk's keys, which go up in chunks to upload
// sessions (/api/v1/uploads) that survive a dropped connection; the server
// checks every message and only then returns a codename.
//
// Nothing readable is ever sent from here. If anything fails, the page says
// so and offers to send the form the ordinary way, encrypted by the server,
// which the source must choose by pressing a button.
//
// Loading: this module is loaded by a <script type="module" integrity=…>.
// A static import of the other modules cannot work, since static files have
// content-hashed URLs, and import() cannot carry an integrity value. So the
// page preloads them with <link rel="modulepreload" integrity=…> and gives
// their URLs in data attributes; import() of the same URL then takes the
// module the browser fetched and verified for the preload (one module map
// entry per URL), and fails if that check failed. A browser without
// modulepreload could not check them, so it keeps the ordinary form.
//
// The encryption, the hashing and the proofs of work run in workers
// (crypto-worker.js), which check OpenPGP.js, seipd.js and hash.js
// against the same pinned integrity values before they import them.

const form = document.getElementById("tip");

// The attempts of one chunk upload, with the wait before each retry.
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000, 30000, 60000];

// supported reports whether this browser has what encryption here needs.
function supported() {
  const link = document.createElement("link");
  return (
    window.isSecureContext &&
    window.crypto && crypto.subtle && crypto.getRandomValues &&
    window.ReadableStream && window.TransformStream && window.TextEncoder && window.fetch && window.Worker &&
    typeof Blob.prototype.stream === "function" &&
    link.relList && link.relList.supports && link.relList.supports("modulepreload")
  );
}

if (form && form.dataset.worker && supported()) {
  let busy = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    send(form).catch(fail).finally(() => {
      busy = false;
    });
  });
  // The source chooses to send the form the ordinary way: the server will
  // encrypt it. form.submit() bypasses the handler above.
  document.getElementById("js-native").addEventListener("click", () => form.submit());
  // Says that this form encrypts in the browser (for styles and tests).
  form.dataset.encrypt = "browser";
  // Shows the hidden information in files as they are chosen (metadata.js);
  // send imports the same module again, and fails if it could not load.
  import(form.dataset.metadata).then((m) => m.watch(form)).catch(() => {});
  // The workers start as the source starts filling the form, not when
  // they press the button: loading OpenPGP.js into them takes about 0.3 s.
  // They load only this page's own files, which never change under their
  // URLs and which the browser has cached with the page. Then they solve
  // the proofs of work the form will need (Proofs), for the files as they
  // are chosen.
  form.addEventListener("input", () => {
    if (!busy) workersAhead().then(({ proofs }) => proofs.forFiles(chosenFiles())).catch(() => {});
  });
}

// chosenFiles returns the files chosen in the form's files field.
function chosenFiles() {
  const input = form.querySelector("input[type=file]");
  return input ? Array.from(input.files) : [];
}

// The two workers started ahead of send, with the proofs they solve, or
// null.
let started = null;

// workersAhead starts the two workers of send (crypto-worker.js), both at
// once, and the proofs of work the form needs in the second. It resolves
// with { workers, proofs }, the encrypting worker first, or fails with
// neither left running.
function workersAhead() {
  if (!started) {
    started = import(form.dataset.worker).then(({ startWorker }) => Promise.allSettled([
      startWorker(form.dataset.worker, [form.dataset.openpgp, form.dataset.hash, form.dataset.seipd]),
      startWorker(form.dataset.worker, [form.dataset.hash]),
    ])).then((results) => {
      const failed = results.find((r) => r.status === "rejected");
      if (failed) {
        for (const r of results) if (r.status === "fulfilled") r.value.terminate();
        throw failed.reason;
      }
      const workers = results.map((r) => r.value);
      const proofs = new Proofs(workers[1], form.dataset.desk, workers[0]);
      proofs.ahead();
      return { workers, proofs };
    });
    started.catch(() => {}); // counts in send, where it is awaited
  }
  return started;
}

// takeWorkers returns the workers started ahead, with their proofs, or
// starts them now; the next send starts its own.
function takeWorkers() {
  const workers = workersAhead();
  started = null;
  return workers;
}

// Proofs solves the proofs of work of a submission in the worker pow,
// which takes them the largest first (a file's before the manifest's and
// the submission's; see proofOfWork), even one asked for while a smaller
// one is being solved: side by side they would share the worker, and the
// first to be needed would wait for all. While the source fills in the
// form, it solves ahead the ones the form will need (ahead, forFiles): a
// submission's, a manifest's and one for each file chosen, at the file's
// size, so that pressing the button starts the upload at once; a file's
// with the encrypting worker's help (solveTogether). They take
// a device seconds (a large file's 2^20 tries are a second here, several
// on a slow phone); filling in the form takes longer. A challenge asked
// for ahead says no more than the upload says moments later: the size a
// file is declared at, and it is not kept (the access log has no query
// string). A proof is taken once, and none older than PROOF_FRESH_MS: its
// token expires half an hour after it was issued.
class Proofs {
  constructor(pow, slug, helper) {
    this.pow = pow;
    this.slug = slug;
    this.helper = helper; // the encrypting worker, for files' proofs
    this.kept = []; // solved ahead: { size, proof, at, file }
  }

  // ahead solves the submission's and a manifest's proofs ahead.
  ahead() {
    this.keep(undefined, false);
    this.keep(maxMessageBytes(MANIFEST_BOUND), false);
  }

  // forFiles solves ahead a proof for each of files that no proof kept
  // for a file chosen before covers.
  forFiles(files) {
    const free = this.kept.filter((k) => k.file).sort((a, b) => a.size - b.size);
    for (const size of files.map((f) => maxMessageBytes(f.size)).sort((a, b) => b - a)) {
      const i = free.findIndex((k) => k.size >= size); // the smallest
      if (i >= 0) free.splice(i, 1);
      else this.keep(size, true);
    }
  }

  keep(size, file) {
    this.kept.push({ size, proof: this.solve(size, file), at: Date.now(), file });
  }

  // take returns a proof for an upload session declared at size bytes
  // (for the submission itself: undefined), of a file if file: the
  // smallest one kept that covers it, or a new one.
  take(size, file) {
    const fresh = Date.now() - PROOF_FRESH_MS;
    this.kept = this.kept.filter((k) => k.at > fresh);
    let best = -1;
    for (const [i, k] of this.kept.entries()) {
      const fits = size === undefined ? k.size === undefined : k.size !== undefined && k.size >= size;
      if (fits && (best < 0 || k.size < this.kept[best].size)) best = i;
    }
    return best >= 0 ? this.kept.splice(best, 1)[0].proof : this.solve(size, file);
  }

  // solve returns the promise of a proof for size (see take), helped by
  // the encrypting worker for a file.
  solve(size, file) {
    const proof = proofOfWork(this.pow, this.slug, size, file ? this.helper : null);
    proof.catch(() => {}); // counts where it is awaited
    return proof;
  }
}

// PROOF_FRESH_MS is the age beyond which a proof solved ahead is let go:
// well within the half hour its token lives.
const PROOF_FRESH_MS = 20 * 60 * 1000;

// MANIFEST_BOUND is the size a manifest's proof is solved ahead for:
// far more than the answers and the files' list take, and within the
// base difficulty, as any size up to 8 MiB is.
const MANIFEST_BOUND = 1 << 20;

// ApiError is an error answer of the server (status 0: no connection),
// with the server's message. Any other error means encryption failed.
class ApiError extends Error {
  constructor(status, message, code = "") {
    super(message);
    this.status = status;
    this.code = code; // the API's error code, such as "busy"
  }
}

// SessionGone is the server's answer (404) for an upload session that no
// longer exists.
class SessionGone extends ApiError {}

// CheckFailed means some answers need correcting; they are marked on the form.
class CheckFailed extends Error {}

const text = (id, key) => document.getElementById(id).dataset[key] || "";

// format fills %s and %d as Go's fmt does for the catalog's messages.
const format = (s, ...args) => s.replace(/%[sd]/g, () => String(args.shift()));

function setStatus(key) {
  document.getElementById("js-status").textContent = text("js-progress", key);
}

function setProgress(id, done, total) {
  const bar = document.getElementById(id);
  bar.max = Math.max(total, 1);
  bar.value = Math.min(done, bar.max);
}

// send encrypts and uploads the form, then shows the codename. Two
// workers (crypto-worker.js) do the heavy work off the page's thread: one
// encrypts, the other solves the proofs of work and hashes the files
// meanwhile.
async function send(form) {
  const submit = form.querySelector("button[type=submit]");
  document.getElementById("js-failure").hidden = true;
  clearErrors(form);
  const progress = document.getElementById("js-progress");
  progress.hidden = false;
  setStatus("working");
  setProgress("js-encrypt", 0, 1);
  setProgress("js-upload", 0, 1);
  submit.disabled = true;
  const workers = [];
  let keeper = null;
  try {
    const { workers: [crypt, pow], proofs } = await takeWorkers();
    workers.push(crypt, pow);
    const { cleanFile } = await import(form.dataset.metadata);
    const slug = form.dataset.desk;
    const lang = form.dataset.lang;
    const desk = await api("GET", "/api/v1/desks/" + encodeURIComponent(slug));
    await crypt.call("readKeys", { keys: desk.keys });

    const q = desk.questionnaire;
    const { cleaned, errors } = check(q, desk.countries, formAnswers(form));
    if (errors.length > 0) {
      showErrors(form, q, lang, errors);
      throw new CheckFailed();
    }
    const filesField = q.fields.find((f) => f.type === "files");
    const chosen = filesField ? Array.from(form.elements[filesField.id].files) : [];
    // Each file without its hidden information, unless the source keeps it.
    const files = await Promise.all(chosen.map(cleanFile));
    for (const f of files) {
      if (f.size > desk.max_file_size) throw new ApiError(413, format(text("js-failure", "error_too_large"), humanBytes(desk.max_file_size)));
    }

    // Every proof of work of the submission is taken now, solved while the
    // form was filled in or solved from now on in the second worker while
    // the first worker encrypts (Proofs): a session opens as soon as its
    // own is solved, and the manifest's and the submission's are ready by
    // the time the files are uploaded. The manifest's size is known now:
    // only the files' hashes, of fixed length, are missing.
    const placeholders = files.map((f) => ({ name: f.name, type: f.type, size: f.size, sha256: "0".repeat(64) }));
    const manifestSize = new TextEncoder().encode(JSON.stringify(newManifest(desk, q, lang, cleaned, placeholders))).length;
    const filePows = files.map((f) => proofs.take(maxMessageBytes(f.size), true));
    const manifestPow = proofs.take(maxMessageBytes(manifestSize));
    const submitPow = proofs.take(undefined);
    // Each file's SHA-256, for the manifest, is taken in the second worker
    // once the file's proof of work is solved, while the first worker
    // encrypts it.
    const sums = files.map((f, i) => filePows[i].then(() => pow.call("sha256", { data: f })));
    // A failure counts where the promise is awaited, not before.
    for (const p of [...filePows, manifestPow, submitPow, ...sums]) p.catch(() => {});

    const total = files.reduce((n, f) => n + f.size, 0) + 1;
    // Each file's bytes encrypted and bytes stored by the server, for the
    // two progress bars; a file sent again starts from zero.
    const made = files.map(() => [0, 0]);
    const tick = () => {
      setProgress("js-encrypt", made.reduce((n, m) => n + m[0], 0), total);
      setProgress("js-upload", made.reduce((n, m) => n + m[1], 0), total);
    };
    // Two chunks of ciphertext are made ahead of the upload.
    const ahead = 2 * desk.chunk_size;
    // What is sent whole is kept until the commit.
    keeper = new Keeper(pow, slug);
    const sendFile = (i, solved) => upload(crypt, pow, slug, files[i].size, files[i], solved, ahead, (encrypted, stored) => {
      made[i] = [encrypted, stored];
      tick();
    }, keeper);
    const described = [];
    const fileUploads = [];
    for (const [i, file] of files.entries()) {
      setStatus("encrypting");
      fileUploads.push(await sendFile(i, filePows[i]));
      described.push({ name: file.name, type: file.type, size: file.size, sha256: await sums[i] });
    }

    const manifest = newManifest(desk, q, lang, cleaned, described);
    const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
    const sendManifest = (solved) => upload(crypt, pow, slug, manifestBytes.length, manifestBytes, solved, ahead, () => {}, keeper);
    let manifestUpload = await sendManifest(manifestPow);
    const sent = () => {
      setProgress("js-encrypt", total, total);
      setProgress("js-upload", total, total);
    };
    sent();

    // A file's session can still go missing before the commit (a keep
    // that did not get through, a server restarted with a shorter idle
    // period): those files are sent again.
    const sendMissing = async () => {
      let missing = false;
      for (const [i, id] of fileUploads.entries()) {
        if (await sessionExists(id)) continue;
        missing = true;
        setStatus("encrypting");
        fileUploads[i] = await sendFile(i, null);
      }
      if (!(await sessionExists(manifestUpload))) {
        missing = true;
        manifestUpload = await sendManifest(null);
      }
      sent();
      setStatus("uploading");
      return missing ? { manifest: manifestUpload, files: fileUploads } : null;
    };

    setStatus("uploading");
    const receipt = await commit(pow, {
      desk: slug, manifest: manifestUpload, files: fileUploads, lang, pow: await submitPow,
      retry: form.elements.retry ? form.elements.retry.value : "",
      codename_kind: form.elements.codename_kind ? form.elements.codename_kind.value : "words",
    }, sendMissing);
    showCodename(receipt);
  } finally {
    if (keeper) keeper.stop();
    for (const w of workers) w.terminate();
    submit.disabled = false;
  }
}

// commit sends the submission. When the answer is lost (the connection
// drops, a Tor circuit closes) it sends the same request again, with the
// same retry token: the server answers a retry with the codename of the
// first commit, never a second submission. A proof of work solved long
// before (a large upload over Tor) may have expired: refused once (422),
// it is solved again. When an upload is missing (404), sendMissing sends
// the files whose sessions are gone again and returns their new sessions
// (null: none was missing), and the commit is sent again, twice at most;
// but not once an answer was lost: that commit may have gone through on
// a node that does not know the retry token, and removed the sessions.
async function commit(pow, body, sendMissing) {
  let fresh = false;
  let lostAnswer = false;
  for (let attempt = 0, resent = 0; ; attempt++) {
    try {
      return await api("POST", "/api/v1/submissions", body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && !fresh) {
        fresh = true;
        body = { ...body, pow: await proofOfWork(pow, body.desk) };
        continue;
      }
      if (e instanceof ApiError && e.status === 404 && resent < 2 && !lostAnswer) {
        const renewed = await sendMissing();
        if (!renewed) throw e;
        resent++;
        fresh = false; // the proof of work may have gone with the refusal
        body = { ...body, ...renewed };
        continue;
      }
      const lost = e instanceof ApiError && (e.status === 0 || e.status === 502 || e.status === 504);
      if (!lost || attempt >= RETRY_DELAYS_MS.length) throw e;
      lostAnswer = true;
    }
    setStatus("upload_resuming");
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
    setStatus("uploading");
  }
}

// proofOfWork fetches a challenge and has the worker pow find the counters
// (solvePow, from hash.js), each such that the SHA-256 of the token
// followed by the counter in decimal starts with the asked number of zero
// bits: a few hashes for the server to check. It keeps floods of uploads
// expensive; the server asks for more bits while the desk is flooded, and
// for an upload session (size given) one more bit per doubling of the
// size beyond 8 MiB.
//
// A file's proof, which its upload waits for, has the encrypting worker
// helper solve it too (solveTogether, in crypto-worker.js).
async function proofOfWork(pow, slug, size, helper = null) {
  let path = "/api/v1/pow?desk=" + encodeURIComponent(slug);
  if (size !== undefined) path += "&size=" + size;
  const challenge = await api("GET", path);
  // The worker solves the largest upload's proof first (the submission's,
  // with no size, last): it is the first needed, and the longest.
  const args = { token: challenge.token, bits: challenge.solution_bits, solutions: challenge.solutions, urgency: size ?? 0 };
  const counters = await (helper ? pow.solveTogether(helper, args) : pow.call("pow", args));
  return { token: challenge.token, counters };
}

// maxMessageBytes bounds the size of the OpenPGP message that encrypting
// plainSize bytes makes, as intake.MaxMessageBytes does on the server: the
// encryption streams, so its exact size is known only at the end.
const maxMessageBytes = (plainSize) => plainSize + Math.floor(plainSize / 64) + (1 << 20);

// openSession opens an upload session for a message made from plainSize
// bytes, declaring its bound, with a proof of work solved for that size
// (solved: the promise of one asked for earlier). A challenge is answered
// at the difficulty it was issued at, but one solved long before may have
// expired: the server then refuses it (422), and a new one is solved,
// twice at most.
async function openSession(pow, slug, plainSize, solved) {
  const size = maxMessageBytes(plainSize);
  let proof = await solved;
  for (let attempt = 0, waited = 0; ; attempt++) {
    proof = proof || await proofOfWork(pow, slug, size);
    try {
      return await api("POST", "/api/v1/uploads", { desk: slug, size, pow: proof });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.status === 422 && attempt < 2) {
        proof = null; // refused: solve a new one
        continue;
      }
      // Storage full for now: room comes back as uploads finish or sit
      // idle. Wait, as for a chunk, and ask again with the same (unspent)
      // proof of work. Too many upload sessions ("busy") is said at once:
      // the form without browser encryption opens none, and still goes.
      if (e.status !== 503 || e.code === "busy" || waited >= RETRY_DELAYS_MS.length) throw e;
      setStatus("upload_resuming");
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[waited++]));
      setStatus("uploading");
    }
  }
}

// upload encrypts data (a File or bytes), made of plainSize bytes, in the
// worker crypt and sends the ciphertext to a new upload session (opened
// with solved, a proof of work asked for earlier, or null), chunk by chunk
// in order, of the size the session asks for. Encryption starts at once,
// while the proof of work may still be solved, and goes on while chunks
// upload, up to ahead bytes of ciphertext ahead of the upload: memory
// holds that and the two chunks going up, and the file itself only if
// crypt has the memory to hold it whole (crypto-worker.js). It
// returns the session id, once keeper keeps the session. report gets the
// bytes of data encrypted so far and the bytes of ciphertext the server
// has stored.
//
// A session that disappears while its chunks go up (the server removed
// it as idle, as it may after a long wait for storage) is started again:
// the data is encrypted afresh into a new session, with a new proof of
// work, twice at most.
async function upload(crypt, pow, slug, plainSize, data, solved, ahead, report, keeper) {
  for (let restarts = 0; ; restarts++) {
    const lane = { beside: true, stopped: false }; // see putChunk
    let encrypted = 0;
    let stored = 0;
    let last = false;
    const job = crypt.job((n) => {
      encrypted = n;
      report(encrypted, stored);
    });
    try {
      await crypt.call("encrypt", { job, data, ahead });
      const session = await openSession(pow, slug, plainSize, solved);
      const take = () => {
        const chunk = crypt.call("chunk", { job, size: session.chunk_size });
        chunk.catch(() => {}); // counts where it is awaited
        return chunk;
      };
      let next = take();
      // Each chunk goes up beside the one before, two at a time: the
      // server takes the second while it checks and stores the first. A
      // server that refuses that (a chunk came to another node than the
      // one before) gets them one at a time from then on.
      let before = null; // the chunk before, still going up
      for (let n = 0; !last; n++) {
        const { chunk, last: ends } = await next;
        // The worker makes the next chunk while these go up.
        if (!ends) next = take();
        if (!lane.beside) await before;
        const going = putChunk(session.id, n, chunk, lane.beside ? before : null, lane).then(() => {
          stored += chunk.size;
          report(encrypted, stored);
        });
        going.catch(() => {}); // counts where it is awaited
        await before;
        before = going;
        last = ends;
      }
      await before;
      keeper.keep(session, maxMessageBytes(plainSize));
      return session.id;
    } catch (e) {
      if (!(e instanceof SessionGone) || restarts >= 2) throw e;
      solved = null; // spent on the session that is gone
      report(0, 0);
    } finally {
      crypt.end(job);
      // The worker lets go of an encryption left before its end, and a
      // chunk still going up to a session left behind is not sent again.
      if (!last) crypt.call("cancel", { job }).catch(() => {});
      lane.stopped = true;
    }
  }
}

// Keeper keeps the upload sessions sent whole while the tip's next files
// go up, which over Tor can take longer than the server lets a session sit
// idle (half an hour by default). Every keep_after seconds (a third of
// that, as the session said when it opened) it tells the server that the
// session is still wanted, with a proof of work of the session's size, as
// the server asks: a keep costs what opening the session again would.
class Keeper {
  constructor(pow, slug) {
    this.pow = pow;
    this.slug = slug;
    this.timers = new Map(); // session id → its next keep
  }

  // keep starts keeping session, declared for size bytes, if the server
  // said how often.
  keep(session, size) {
    const every = session.keep_after * 1000;
    if (!(every > 0)) return;
    const next = () => this.timers.set(session.id, setTimeout(tick, every));
    const tick = async () => {
      try {
        const proof = await proofOfWork(this.pow, this.slug, size);
        if (!this.timers.has(session.id)) return; // stopped meanwhile
        await api("POST", "/api/v1/uploads/" + session.id + "/keep", { pow: proof });
      } catch (e) {
        // Gone: the commit finds it missing and sends the file again.
        if (e instanceof SessionGone) {
          this.timers.delete(session.id);
          return;
        }
        // Anything else (a dropped connection, being submitted): next time.
      }
      if (this.timers.has(session.id)) next();
    };
    next();
  }

  // stop ends every keep: the tip was committed or failed.
  stop() {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

// putChunk stores chunk n (a Blob), retrying with growing pauses when the
// connection fails or the server is unavailable (Tor circuits drop). Before
// a retry it asks the server which chunks it has, in case the chunk arrived
// and only the answer was lost. It fails with SessionGone when the session
// no longer exists.
//
// before is the upload of the chunk before when that is still going up
// (else null): the server node storing it makes this one wait for it. A
// node that is not (a load balancer sent the two to different nodes)
// refuses this one as out of turn (409); it is then sent again once before
// has gone up, and lane.beside is cleared, so that the next chunks go one
// at a time. Once lane.stopped is set (the upload failed or started again
// in a new session), the chunk is not sent again.
async function putChunk(id, n, chunk, before, lane) {
  const url = withLang("/api/v1/uploads/" + id + "/chunks/" + n);
  for (let attempt = 0; ; ) {
    if (lane.stopped) throw new ApiError(0, "");
    let r = null;
    try {
      r = await fetch(url, {
        method: "PUT", body: chunk, credentials: "omit", cache: "no-store",
        headers: { "Content-Type": "application/octet-stream" },
      });
    } catch {
      // The connection failed: retry below.
    }
    if (r && r.ok) return;
    if (r && r.status === 409 && before) {
      lane.beside = false;
      await before;
      before = null;
      continue;
    }
    if (r && r.status < 500 && r.status !== 408 && r.status !== 429) throw await apiError(r);
    if (attempt >= RETRY_DELAYS_MS.length) throw new ApiError(0, ""); // the connection stays down
    setStatus("upload_resuming");
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt++]));
    try {
      const state = await api("GET", "/api/v1/uploads/" + id);
      if (state.chunks.includes(n)) return;
    } catch (e) {
      if (e instanceof SessionGone) throw e;
    }
    setStatus("uploading");
  }
}

// sessionExists reports whether the upload session id still exists.
async function sessionExists(id) {
  try {
    await api("GET", "/api/v1/uploads/" + id);
    return true;
  } catch (e) {
    if (e instanceof SessionGone) return false;
    throw e;
  }
}

// api makes one JSON request to the intake API.
async function api(method, path, body) {
  const init = { method, credentials: "omit", cache: "no-store", headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let r;
  try {
    r = await fetch(withLang(path), init);
  } catch {
    throw new ApiError(0, ""); // no connection
  }
  if (!r.ok) throw await apiError(r);
  if (r.status === 204) return null; // a keep answers with no body
  return r.json();
}

// withLang adds the page's language to an API path, so that the server's
// messages (storage full, too busy, not accepting) come back in it.
function withLang(path) {
  return path + (path.includes("?") ? "&" : "?") + "lang=" + encodeURIComponent(document.documentElement.lang);
}

async function apiError(r) {
  let message = "", code = "";
  try {
    ({ message, code } = (await r.json()).error);
  } catch {
    // not the API's JSON: keep the generic message
  }
  // Under /api/v1/uploads/ only a session can be missing.
  const gone = r.status === 404 && new URL(r.url).pathname.startsWith("/api/v1/uploads/");
  return new (gone ? SessionGone : ApiError)(r.status, message || "", code || "");
}

// fail tells the source what went wrong, and offers the ordinary form
// unless the server refused what the form would send too: too large, too
// many tips, storage full or the desk not accepting. Only the cap on upload
// sessions ("busy"), which the form does not meet, and failures of the
// browser or the connection leave that way open.
function fail(err) {
  document.getElementById("js-progress").hidden = true;
  document.getElementById("js-status").textContent = "";
  if (err instanceof CheckFailed) return;
  // Errors of the server have their own message; errors here mean the
  // browser could not encrypt, and nothing was sent.
  let message = text("js-failure", "encryption_failed");
  if (err instanceof ApiError && err.status === 413) {
    message = err.message || format(text("js-failure", "error_too_large"), "");
  } else if (err instanceof ApiError && (err.status === 429 || err.status === 503) && err.message) {
    // Storage full, too many tips or uploads, not accepting: the server
    // says in plain words, in the page's language (withLang), what
    // happened and when to try again.
    message = err.message;
  } else if (err instanceof SessionGone && err.message) {
    message = err.message; // sent again twice, and gone again
  } else if (err instanceof ApiError) {
    message = text("js-failure", "error_generic") + (err.message ? " (" + err.message + ")" : "");
  }
  document.getElementById("js-failure-message").textContent = message;
  const formRefusedToo = err instanceof ApiError && [413, 429, 503].includes(err.status) && err.code !== "busy";
  document.getElementById("js-native-offer").hidden = formRefusedToo;
  const box = document.getElementById("js-failure");
  box.hidden = false;
  box.tabIndex = -1;
  box.focus();
  box.scrollIntoView({ block: "center" });
}

// showCodename replaces the form with the codename page
// (templates/codename_body.html). Nothing on it may leave it by accident:
// the header's links go, as on the page without JavaScript.
function showCodename(receipt) {
  const view = document.getElementById("js-codename").content.cloneNode(true);
  const slots = (name) => view.querySelectorAll("[data-slot=" + name + "]");
  for (const el of slots("received-day")) el.textContent = receipt.received_day;
  const codename = view.querySelector("[data-slot=codename]");
  codename.classList.toggle("numeric", receipt.numeric);
  for (const group of receipt.codename.split(" ")) {
    const li = document.createElement("li");
    const span = document.createElement("span");
    span.textContent = group;
    li.append(span);
    codename.append(li);
  }
  for (const a of slots("receipt")) a.href = receipt.receipt_url;
  for (const input of slots("page")) input.value = receipt.page;
  for (const label of slots("ask")) label.textContent = format(label.dataset.format, receipt.ask);
  lockHeader();
  // A reload would load the empty form: the browser asks first, until the
  // source has typed a group back.
  const stay = (event) => event.preventDefault();
  window.addEventListener("beforeunload", stay);
  for (const saved of view.querySelectorAll("form.saved")) {
    saved.addEventListener("submit", () => window.removeEventListener("beforeunload", stay));
  }
  const main = document.querySelector("main");
  main.replaceChildren(view);
  document.title = main.querySelector(".part.current h1").textContent + " · Tipline";
  window.scrollTo(0, 0);
  main.querySelector(".part.current .codename-heading").focus();
}

// lockHeader removes the header's links: the language switch (which
// would load the form again) and the link to the start page.
function lockHeader() {
  const header = document.querySelector("header.site");
  for (const nav of header.querySelectorAll("nav.langs")) nav.remove();
  const brand = header.querySelector("a.brand");
  if (brand) {
    const span = document.createElement("span");
    span.className = "brand";
    span.textContent = brand.textContent;
    brand.replaceWith(span);
  }
}

function humanBytes(n) {
  if (n >= 1 << 30 && n % (1 << 30) === 0) return n / (1 << 30) + " GiB";
  if (n >= 1 << 20) return Math.floor(n / (1 << 20)) + " MiB";
  return n + " bytes";
}

// ---------------------------------------------------------------- answers
// What follows does in the browser what intake.Questionnaire's Check and
// NewManifest do on the server (intake/questionnaire_check.go, manifest.go),
// so that investigators read one manifest format from both paths.

// formAnswers returns the form's values by name, files left out.
function formAnswers(form) {
  const answers = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value !== "string") continue;
    (answers[name] = answers[name] || []).push(value);
  }
  return answers;
}

const partyKey = (field, row, part) => field + "." + row + "." + part;
const runes = (s) => Array.from(s).length;
const foldWidth = (s) => s.replace(/[\uFF01-\uFF5E\u3000]/g, (c) => (c === "\u3000" ? " " : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));

function cleanText(s) {
  s = s.replace(/\r\n/g, "\n").replace(/\r/g, "\n");
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, "");
  return s.trim();
}

const cleanLine = (s) => cleanText(s).replace(/[\n\t]/g, " ").trim();

function first(values) {
  for (const v of values || []) {
    const c = cleanLine(v);
    if (c !== "") return c;
  }
  return "";
}

const textLimit = (f) => f.max_len || (f.type === "long_text" ? 100000 : 1000);
const option = (f, v) => (f.options || []).find((o) => o.value === v);
const countryKey = (s) => foldWidth(s).toLowerCase().split(/\s+/).filter(Boolean).join(" ");

// Sources give estimates. parseNumber and parseDate read what they can of
// them as intake's ParseNumber and ParseDate do; what they cannot read is
// kept as typed, never refused.
const numberPart = String.raw`(\d[\d,]*(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+)\s*((?:thousand|k|million|mio|mn|m|billion|bn|b)\b|百万|千万|千|万|亿)?`;
const numberExpr = new RegExp(numberPart + String.raw`(?:\s*(?:-|–|—|~|～|〜|to|and|至|到)\s*` + numberPart + ")?", "g");
const multipliers = {
  k: 1e3, thousand: 1e3, 千: 1e3, m: 1e6, mn: 1e6, mio: 1e6, million: 1e6, 百万: 1e6,
  b: 1e9, bn: 1e9, billion: 1e9, 万: 1e4, 千万: 1e7, 亿: 1e8,
};
const chineseDigits = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const chineseUnits = { 十: 10, 百: 100, 千: 1000, 万: 1e4, 亿: 1e8 };

function chineseNumber(s) {
  let total = 0, section = 0, digit = 0, seenDigit = false;
  for (const r of s) {
    if (r in chineseDigits) {
      [digit, seenDigit] = [chineseDigits[r], true];
      continue;
    }
    const unit = chineseUnits[r];
    if (!unit) return null;
    if (unit < 1e4) {
      if (digit === 0 && unit === 10 && !seenDigit) digit = 1;
      section += digit * unit;
    } else {
      total = (total + section + digit) * unit;
      section = 0;
    }
    [digit, seenDigit] = [0, false];
  }
  const n = total + section + digit;
  return n > 0 || /[零〇]/.test(s) ? n : null;
}

// readNumber returns a number as digits and a decimal scale, exactly.
function readNumber(digits, multiplier) {
  let n, scale = 0;
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(digits)) digits = digits.replace(/,/g, "");
  if (/^\d+(\.\d+)?$/.test(digits)) {
    if (digits.length > 40) return null;
    const [whole, frac = ""] = digits.split(".");
    [n, scale] = [BigInt(whole + frac), frac.length];
  } else {
    const c = chineseNumber(digits);
    if (c === null) return null;
    n = BigInt(c);
  }
  return { n: n * BigInt(multiplier ? multipliers[multiplier] : 1), scale };
}

const compareNumbers = (a, b) => {
  const [x, y] = [a.n * 10n ** BigInt(b.scale), b.n * 10n ** BigInt(a.scale)];
  return x < y ? -1 : x > y ? 1 : 0;
};

function decimalString({ n, scale }) {
  const p = 10n ** BigInt(scale);
  const frac = (n % p).toString().padStart(scale, "0").replace(/0+$/, "");
  return frac ? `${n / p}.${frac}` : String(n / p);
}

function parseNumber(s) {
  const matches = [...foldWidth(s).toLowerCase().matchAll(numberExpr)];
  if (matches.length !== 1) return "";
  const m = matches[0];
  const low = readNumber(m[1], m[2]);
  if (!low) return "";
  if (m[3] === undefined) return decimalString(low);
  const high = readNumber(m[3], m[4]);
  if (!high) return "";
  if (!m[2] && m[4]) low.n *= BigInt(multipliers[m[4]]); // 5-6万
  const order = compareNumbers(low, high);
  if (order > 0) return "";
  return order === 0 ? decimalString(low) : decimalString(low) + "-" + decimalString(high);
}

const monthWord = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const monthNumber = (name) => ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].indexOf(name.toLowerCase().slice(0, 3)) + 1;
const ymdExpr = /(?:^|\D)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*[日号])?(?:\D|$)/;
const ymExpr = /(?:^|\D)(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})(?:\s*月|\D|$)/;
const dmyExpr = /(?:^|\D)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\D|$)/;
const dayMonthYear = new RegExp(String.raw`(?:^|[^\d])(\d{1,2})(?:st|nd|rd|th)?\s+` + monthWord + String.raw`,?\s+(\d{4})`, "i");
const monthDayYear = new RegExp(String.raw`\b` + monthWord + String.raw`\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})`, "i");
const monthYear = new RegExp(String.raw`\b` + monthWord + String.raw`,?\s+(\d{4})`, "i");

function parseDate(s, now) {
  s = foldWidth(s);
  const years = (s.match(/\d+/g) || []).filter((r) => r.length === 4 && Number(r) >= 1800 && Number(r) <= 2999);
  if (years.length !== 1) return "";
  let [year, month, day] = [Number(years[0]), 0, 0];
  let m;
  if ((m = ymdExpr.exec(s))) [year, month, day] = [+m[1], +m[2], +m[3]];
  else if ((m = dayMonthYear.exec(s))) [year, month, day] = [+m[3], monthNumber(m[2]), +m[1]];
  else if ((m = monthDayYear.exec(s))) [year, month, day] = [+m[3], monthNumber(m[1]), +m[2]];
  else if ((m = dmyExpr.exec(s))) {
    const [a, b] = [+m[1], +m[2]];
    if (a > 12 && b <= 12) [day, month] = [a, b];
    else if (b > 12 && a <= 12) [month, day] = [a, b];
    else if (a === b) [month, day] = [a, b];
    else return ""; // 03/04/2024: March or April?
    year = +m[3];
  } else if ((m = monthYear.exec(s))) [year, month] = [+m[2], monthNumber(m[1])];
  else if ((m = ymExpr.exec(s))) [year, month] = [+m[1], +m[2]];
  if (year < 1900 || year > now.getUTCFullYear() + 10) return "";
  const pad = (n) => String(n).padStart(2, "0");
  if (day > 0) {
    const d = new Date(Date.UTC(year, month - 1, day));
    if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return "";
    return `${year}-${pad(month)}-${pad(day)}`;
  }
  if (month > 0) return month > 12 ? "" : `${year}-${pad(month)}`;
  return String(year);
}

// check cleans and checks the answers as intake's Check does. It returns the
// cleaned answers (party rows as lists) and the errors as [field, key, arg].
function check(q, countries, a) {
  const byName = new Map();
  for (const c of countries) {
    byName.set(countryKey(c.code), c.code);
    for (const name of Object.values(c.name)) byName.set(countryKey(name), c.code);
  }
  const cleaned = {};
  const errors = [];
  const shown = (f) => !f.show_if || (cleaned[f.show_if.field] || []).some((v) => f.show_if.any_of.includes(v));
  for (const f of q.fields) {
    if (f.type === "files" || !shown(f)) continue;
    const values = a[f.id] || [];
    let out = [];
    let err = "";
    let arg;
    switch (f.type) {
      case "short_text":
      case "long_text": {
        const v = values.map((x) => (f.type === "long_text" ? cleanText(x) : cleanLine(x))).find((x) => x !== "") || "";
        if (runes(v) > textLimit(f)) [err, arg] = ["error_too_long", textLimit(f)];
        else if (v !== "") out = [v];
        break;
      }
      case "single_choice": {
        const chosen = [...new Set(values.map((v) => v.trim()).filter(Boolean))];
        if (chosen.length > 1) err = "error_one_choice";
        else if (chosen.length === 1 && !option(f, chosen[0])) err = "error_choice";
        else out = chosen;
        break;
      }
      case "multiple_choice": {
        const chosen = values.map((v) => v.trim()).filter(Boolean);
        if (chosen.some((v) => !option(f, v))) err = "error_choice";
        else out = f.options.map((o) => o.value).filter((v) => chosen.includes(v));
        break;
      }
      case "date":
      case "number": {
        // An estimate is never refused: what cannot be read is kept as typed.
        const v = first(values);
        if (runes(v) > textLimit(f)) errors.push([f, "error_too_long", textLimit(f)]);
        else if (v === "" && f.required) errors.push([f, "error_required"]);
        const parsed = v === "" ? "" : f.type === "date" ? parseDate(v, new Date()) : parseNumber(v);
        if (parsed) cleaned[f.id] = [parsed];
        if (v !== "" && v !== parsed) cleaned[f.id + ".raw"] = [v];
        continue;
      }
      case "country": {
        const v = first(values);
        if (v === "") break;
        if (byName.has(countryKey(v))) out = [byName.get(countryKey(v))];
        else err = "error_country";
        break;
      }
      case "party": {
        const rows = [];
        for (let n = 0; n < (f.rows || 5) && !err; n++) {
          const get = (part) => first(a[partyKey(f.id, n, part)]);
          const r = {};
          const name = get("name");
          const ids = cleanText((a[partyKey(f.id, n, "identifiers")] || []).join("\n"));
          const role = get("role");
          let country = get("country");
          if (country !== "" && byName.has(countryKey(country))) country = byName.get(countryKey(country));
          if (runes(name) > 300 || runes(ids) > 2000 || (runes(country) > 100 && !byName.has(countryKey(country)))) {
            [err, arg] = ["error_party_too_long", n + 1];
          } else if (role !== "" && !option(f, role)) {
            [err, arg] = ["error_party_role", n + 1];
          }
          if (name) r.name = name;
          if (role) r.role = role;
          if (country) r.country = country;
          if (ids) r.identifiers = ids;
          if (Object.keys(r).length > 0) rows.push(r);
        }
        if (!err && rows.length === 0 && f.required) err = "error_required";
        if (!err) cleaned[f.id] = rows;
        if (err) errors.push([f, err, arg]);
        continue;
      }
    }
    if (err) errors.push([f, err, arg]);
    else if (out.length > 0) cleaned[f.id] = out;
    else if (f.required) errors.push([f, "error_required"]);
  }
  return { cleaned, errors };
}

// newManifest builds the manifest as intake's NewManifest does, in the
// same JSON shape and order.
function newManifest(desk, q, lang, cleaned, files) {
  const byCode = new Map(desk.countries.map((c) => [c.code, c.name.en]));
  const m = {
    version: desk.manifest_version, desk: desk.desk, lang, questionnaire_version: q.version,
    answers: [], parties: [], files,
  };
  for (const f of q.fields) {
    const values = cleaned[f.id];
    const raw = cleaned[f.id + ".raw"];
    if (f.type === "files" || ((!values || values.length === 0) && !raw)) continue;
    if (f.type === "party") {
      for (const r of values) {
        const p = { field: f.id };
        if (r.name) p.name = r.name;
        if (r.role) p.role = r.role;
        if (r.role && option(f, r.role)) p.role_label = option(f, r.role).label.en;
        if (r.country) p.country = r.country;
        if (r.country && byCode.has(r.country)) p.country_name = byCode.get(r.country);
        if (r.identifiers) p.identifiers = r.identifiers;
        m.parties.push(p);
      }
      continue;
    }
    const ans = { id: f.id, label: f.label.en, type: f.type, values: values || [] };
    if (f.type === "single_choice" || f.type === "multiple_choice") ans.value_labels = values.map((v) => option(f, v).label.en);
    if (f.type === "country") ans.value_labels = values.map((v) => byCode.get(v));
    if (raw) ans.raw = raw[0];
    m.answers.push(ans);
  }
  return m;
}

// showErrors marks the answers to correct as the server's form does: a
// summary with links, and each message next to its field.
function showErrors(form, q, lang, errors) {
  const summary = document.createElement("div");
  summary.className = "q-errors";
  summary.id = "q-errors";
  summary.setAttribute("role", "alert");
  summary.dataset.js = "1";
  const p = document.createElement("p");
  p.textContent = text("js-check", "errors_summary");
  const ul = document.createElement("ul");
  summary.append(p, ul);
  for (const [f, key, arg] of errors) {
    const message = format(text("js-check", key), arg);
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = "#q-" + f.id;
    a.textContent = f.label[lang] || f.label.en;
    li.append(a, ": " + message);
    ul.append(li);
    const wrap = document.getElementById("q-" + f.id);
    if (wrap) {
      // Open the collapsed sections around it, as the server's form does.
      for (let d = wrap.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
      wrap.classList.add("q-invalid");
      const e = document.createElement("p");
      e.className = "q-error";
      e.dataset.js = "1";
      e.textContent = message;
      const control = wrap.querySelector("legend, label");
      (control || wrap.firstChild).after(e);
    }
  }
  const questions = form.querySelector(".questionnaire");
  questions.prepend(summary);
  summary.tabIndex = -1;
  summary.focus();
  summary.scrollIntoView({ block: "start" });
}

function clearErrors(form) {
  for (const el of form.querySelectorAll("[data-js='1']")) el.remove();
  for (const el of form.querySelectorAll(".q-invalid")) el.classList.remove("q-invalid");
}
