// Tipline casework pages: staff login, and decryption in the investigator's
// browser.
//
// Decryption: the investigator's private key is imported once and kept in
// this browser's localStorage as the armored key, still encrypted under its
// passphrase (a key without a passphrase is refused). The passphrase is
// asked for each time and never stored or sent. Objects are fetched from
// /api/v1/objects/:id as complete OpenPGP messages and decrypted here with
// OpenPGP.js; nothing decrypted is ever sent to the server, and decrypted
// text is put into the page as text nodes only.
//
// Loading: like submit.js, this module is loaded by a <script type="module"
// integrity=…>, and OpenPGP.js is preloaded by <link rel="modulepreload"
// integrity=…>, so that import() of the same URL takes the verified module.
// Files are decrypted in a worker (crypto-worker.js), which checks OpenPGP.js
// and hash.js against the same pinned integrity values before it imports
// them.

"use strict";

const keyStorage = "tipline.casework.privateKey";

const login = document.getElementById("login");
if (login) {
  login.addEventListener("submit", (ev) => {
    ev.preventDefault();
    logIn(login);
  });
}

const panel = document.getElementById("decrypt");
if (panel) {
  setUpDecryption(panel);
}

async function logIn(form) {
  const error = document.getElementById("login-error");
  const button = document.getElementById("login-submit");
  error.hidden = true;
  button.disabled = true;
  try {
    const res = await fetch("/api/v1/session", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        email: form.elements.email.value,
        password: form.elements.password.value,
        totp: form.elements.totp.value.trim(),
      }),
    });
    if (res.status !== 201) throw new Error(await errorMessage(res, "Login failed"));
    window.location.assign(form.dataset.next || "/queue");
  } catch (e) {
    error.textContent = e.message || "Login failed.";
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
}

function byId(id) {
  return document.getElementById(id);
}

function setUpDecryption(panel) {
  let openpgp = null;
  const loadOpenPGP = async () => {
    if (!openpgp) openpgp = await import(panel.dataset.openpgp);
    return openpgp;
  };
  const status = (text) => {
    byId("decrypt-status").textContent = text;
  };
  const fail = (e) => {
    status("");
    const el = byId("decrypt-error");
    el.textContent = e && e.message ? e.message : String(e);
    el.hidden = false;
  };
  const clearError = () => {
    byId("decrypt-error").hidden = true;
  };

  const show = async () => {
    const armored = localStorage.getItem(keyStorage);
    byId("key-import").hidden = !!armored;
    byId("key-ready").hidden = !armored;
    if (armored) {
      try {
        const pgp = await loadOpenPGP();
        const key = await pgp.readPrivateKey({ armoredKey: armored });
        const ids = key.getUserIDs().join(", ");
        byId("key-info").textContent = "Key " + key.getFingerprint().toUpperCase() + (ids ? " (" + ids + ")" : "") + " is kept in this browser.";
      } catch (e) {
        fail(e);
      }
    }
  };

  byId("key-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (file) byId("key-armored").value = await file.text();
  });

  byId("key-save").addEventListener("click", async () => {
    clearError();
    try {
      const pgp = await loadOpenPGP();
      const armored = byId("key-armored").value.trim();
      const key = await pgp.readPrivateKey({ armoredKey: armored });
      if (key.isDecrypted()) {
        throw new Error("This key has no passphrase. Protect it with one first (gpg --edit-key … passwd), then import it.");
      }
      localStorage.setItem(keyStorage, key.armor());
      byId("key-armored").value = "";
      byId("key-file").value = "";
      await show();
    } catch (e) {
      fail(e);
    }
  });

  byId("key-forget").addEventListener("click", async () => {
    localStorage.removeItem(keyStorage);
    byId("key-passphrase").value = "";
    await show();
  });

  // unlock reads the kept key and decrypts it with the passphrase typed now.
  const unlock = async () => {
    const pgp = await loadOpenPGP();
    const armored = localStorage.getItem(keyStorage);
    if (!armored) throw new Error("Import your private key first.");
    const privateKey = await pgp.readPrivateKey({ armoredKey: armored });
    try {
      return await pgp.decryptKey({ privateKey, passphrase: byId("key-passphrase").value });
    } catch (_) {
      throw new Error("Wrong passphrase for this key.");
    }
  };

  // refusal is what the server said when it refused a download (such as
  // a key that is not among the object's recipients), or fallback.
  const refusal = async (res, fallback) => {
    try {
      const body = await res.json();
      return (body.error && body.error.message) || fallback;
    } catch (_) {
      return fallback;
    }
  };

  // decryptObject downloads one object and decrypts it. OpenPGP.js reads
  // the whole message and throws when its integrity check (MDC or AEAD)
  // fails, so what it returns is authenticated.
  const decryptObject = async (pgp, privateKey, id) => {
    const res = await fetch("/api/v1/objects/" + encodeURIComponent(id), { credentials: "same-origin" });
    if (!res.ok) throw new Error(await refusal(res, "Could not download the object (" + res.status + ")."));
    const binaryMessage = new Uint8Array(await res.arrayBuffer());
    const message = await pgp.readMessage({ binaryMessage });
    try {
      const { data } = await pgp.decrypt({ message, decryptionKeys: privateKey, format: "binary" });
      return data;
    } catch (e) {
      throw new Error("Decryption failed, or the ciphertext was altered: " + (e.message || e));
    }
  };

  // decryptThread decrypts every message of the thread with the source
  // into its list item, as text, and lists the files of each follow-up
  // with a button to decrypt and save each.
  const decryptThread = async (pgp, privateKey, onSave) => {
    for (const li of document.querySelectorAll(".cw-message")) {
      const data = await decryptObject(pgp, privateKey, li.dataset.object);
      const pre = li.querySelector(".cw-message-text");
      pre.textContent = new TextDecoder("utf-8", { fatal: true }).decode(data);
      pre.hidden = false;
    }
    for (const li of document.querySelectorAll(".cw-files")) {
      const data = await decryptObject(pgp, privateKey, li.dataset.object);
      const { files } = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
      const ids = li.dataset.files.split(" ");
      const list = li.querySelector(".cw-files-list");
      list.replaceChildren();
      (files || []).forEach((f, i) => list.append(fileItem(f, ids[i], onSave)));
    }
  };

  // The worker that decrypts files (crypto-worker.js), started once.
  let worker = null;
  const loadWorker = async () => {
    if (!worker) {
      const { startWorker } = await import(panel.dataset.worker);
      worker = await startWorker(panel.dataset.worker, [panel.dataset.openpgp, panel.dataset.hash]);
    }
    return worker;
  };

  // decryptToFile downloads a file (an object or a case document) and
  // decrypts it as a stream in the worker, hashing it on the way, into a
  // Blob offered as a download, or, for large files where the browser can,
  // straight into a file the investigator picks. Nothing is kept unless
  // OpenPGP.js reached the end of the message with its integrity check
  // passed and the SHA-256 matches. The worker also unlocks the kept key
  // with the passphrase typed now (a slow key derivation, by design). The
  // page only shows the progress (onProgress gets the bytes decrypted so
  // far): a large file does not freeze it.
  const decryptToFile = async (url, file, onProgress) => {
    const pick = window.showSaveFilePicker && file.size >= largeFile;
    const handle = pick ? await window.showSaveFilePicker({ suggestedName: safeName(file.name) }) : null;
    const key = localStorage.getItem(keyStorage);
    if (!key) throw new Error("Import your private key first.");
    const w = await loadWorker();
    const job = w.job(onProgress);
    try {
      const blob = await w.call("decryptToFile", {
        job, url, key, passphrase: byId("key-passphrase").value, sha256: file.sha256, handle,
      });
      if (blob) save(blob, file);
    } finally {
      w.end(job);
    }
  };

  // saveFile runs decryptToFile for a button, with status and errors.
  const saveFile = async (url, file) => {
    clearError();
    try {
      const decrypting = "Decrypting " + file.name + "…";
      status(decrypting);
      await decryptToFile(url, file, (done) => status(decrypting + " " + Math.floor(done / (1 << 20)) + " MiB"));
      status("Decrypted " + file.name + ".");
    } catch (e) {
      fail(e);
    }
  };

  // The Decrypt button: the tip (manifest and thread) on a submission's
  // page, the documents' names on a case's page.
  const decryptPage = async (pgp, privateKey) => {
    if (panel.dataset.case) {
      await decryptDocuments(pgp, privateKey, panel.dataset.case, saveFile);
      return;
    }
    const data = await decryptObject(pgp, privateKey, panel.dataset.manifest);
    const manifest = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
    const fileObjects = Array.from(document.querySelectorAll(".cw-file-object")).map((a) => a.dataset.object);
    const onSave = (id, file) => saveFile("/api/v1/objects/" + encodeURIComponent(id), file);
    await decryptThread(pgp, privateKey, onSave);
    renderManifest(manifest, fileObjects, onSave);
  };

  byId("decrypt-run").addEventListener("click", async () => {
    clearError();
    const button = byId("decrypt-run");
    button.disabled = true;
    try {
      status("Decrypting…");
      const pgp = await loadOpenPGP();
      const privateKey = await unlock();
      byId("key-passphrase").value = "";
      await decryptPage(pgp, privateKey);
      status("Decrypted.");
    } catch (e) {
      fail(e);
    } finally {
      button.disabled = false;
    }
  });

  const upload = byId("document-upload");
  if (upload) setUpDocumentUpload(upload);
  const reply = byId("reply");
  if (reply) setUpReply(reply, loadOpenPGP);
  const grant = byId("grant");
  if (grant) setUpGrant(grant, loadOpenPGP, unlock);
  show();
}

// setUpGrant lets the investigator give a colleague access: for each object
// of the submission, the session key is unwrapped here with the
// investigator's key and wrapped for the colleague's registered key, and
// only that new key packet (PKESK) is posted. The body never changes.
function setUpGrant(grant, loadOpenPGP, unlock) {
  grant.hidden = false;
  const button = byId("grant-run");
  // The desk's investigators who cannot read the tip: one click fills in
  // their email and grants.
  for (const b of document.querySelectorAll(".cw-grant-to")) {
    b.hidden = false;
    b.addEventListener("click", () => {
      byId("grant-email").value = b.dataset.email;
      button.click();
    });
  }
  const status = (text) => {
    byId("grant-status").textContent = text;
  };
  button.addEventListener("click", async () => {
    const email = byId("grant-email").value.trim();
    if (!email) {
      status("Type the staff member's email first.");
      return;
    }
    button.disabled = true;
    try {
      const pgp = await loadOpenPGP();
      const privateKey = await unlock();
      const { key } = await getOK("/api/v1/staff/" + encodeURIComponent(email) + "/key").then((r) => r.json());
      const granteeKey = await pgp.readKey({ armoredKey: key });
      const ids = grant.dataset.objects.split(" ").filter((x) => x);
      let done = 0;
      for (const id of ids) {
        status("Granting " + (done + 1) + " of " + ids.length + "…");
        const res = await getOK("/api/v1/objects/" + encodeURIComponent(id));
        const message = await pgp.readMessage({ binaryMessage: new Uint8Array(await res.arrayBuffer()) });
        const [sessionKey] = await pgp.decryptSessionKeys({ message, decryptionKeys: privateKey });
        const wrapped = await pgp.encryptSessionKey({
          data: sessionKey.data,
          algorithm: sessionKey.algorithm,
          encryptionKeys: granteeKey,
          format: "binary",
        });
        const post = await fetch("/api/v1/objects/" + encodeURIComponent(id) + "/grants", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": grant.dataset.csrf },
          body: JSON.stringify({ email, key_packet: base64(wrapped) }),
        });
        if (!post.ok) throw new Error(await errorMessage(post, "The grant was not accepted"));
        done++;
      }
      byId("key-passphrase").value = "";
      window.location.reload();
    } catch (e) {
      status(e.message || String(e));
    } finally {
      button.disabled = false;
    }
  });
}

// base64 encodes bytes for JSON.
function base64(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

// setUpReply lets the investigator answer the source: the text is
// encrypted here to the source's reply key and the desk's keys, the set
// the server insists on, and only the ciphertext is posted.
function setUpReply(reply, loadOpenPGP) {
  reply.hidden = false;
  const button = byId("reply-send");
  const status = (text) => {
    byId("reply-status").textContent = text;
  };
  button.addEventListener("click", async () => {
    const text = byId("reply-text").value.trim();
    if (!text) {
      status("Write the reply first.");
      return;
    }
    button.disabled = true;
    try {
      status("Encrypting…");
      const pgp = await loadOpenPGP();
      const sub = encodeURIComponent(button.dataset.submission);
      const [replyKey, desk] = await Promise.all([
        getOK("/api/v1/submissions/" + sub + "/reply-key").then((r) => r.text()),
        getOK("/api/v1/desks/" + encodeURIComponent(button.dataset.desk) + "/keys").then((r) => r.json()),
      ]);
      const encryptionKeys = await Promise.all([replyKey, ...desk.keys].map((armoredKey) => pgp.readKey({ armoredKey })));
      const message = await pgp.createMessage({ text });
      const body = await pgp.encrypt({ message, encryptionKeys, format: "binary" });
      status("Sending…");
      const res = await fetch("/api/v1/submissions/" + sub + "/replies", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": button.dataset.csrf },
        body,
      });
      if (res.status !== 201) throw new Error(await errorMessage(res, "The reply was not accepted"));
      byId("reply-text").value = "";
      window.location.reload();
    } catch (e) {
      status(e.message || String(e));
    } finally {
      button.disabled = false;
    }
  });
}

// getOK fetches a URL of the casework API and throws unless it answers 200.
async function getOK(url) {
  const res = await fetch(url, { credentials: "same-origin" });
  if (!res.ok) throw new Error(await errorMessage(res, "Could not load " + url));
  return res;
}

// errorMessage is the API's message for a failed response, or fallback.
async function errorMessage(res, fallback) {
  try {
    const body = await res.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch (_) {
    // Keep the fallback.
  }
  return fallback + " (" + res.status + ").";
}

// renderManifest shows the answers, parties and files, as text nodes only.
function renderManifest(m, fileObjects, onSave) {
  const answers = byId("answers");
  answers.replaceChildren();
  for (const a of m.answers || []) {
    const dt = document.createElement("dt");
    dt.textContent = a.label || a.id;
    const dd = document.createElement("dd");
    const labels = a.value_labels && a.value_labels.length ? a.value_labels : a.values || [];
    dd.textContent = labels.join(", ");
    dd.dataset.field = a.id;
    answers.append(dt, dd);
  }
  const parties = byId("parties");
  parties.replaceChildren();
  for (const p of m.parties || []) {
    const li = document.createElement("li");
    const parts = [p.name, p.role_label || p.role, p.country_name || p.country, p.identifiers].filter((x) => x);
    li.textContent = parts.join(" · ");
    parties.append(li);
  }
  if (!(m.parties || []).length) parties.append(text("li", "None given."));
  // entities.js offers matches for the parties; it gets them only here,
  // in this browser, and sends the server only what the investigator
  // confirms.
  document.dispatchEvent(new CustomEvent("tipline:parties", { detail: { parties: m.parties || [] } }));
  const files = byId("files");
  files.replaceChildren();
  (m.files || []).forEach((f, i) => files.append(fileItem(f, fileObjects[i], onSave)));
  if (!(m.files || []).length) files.append(text("li", "No files."));
  byId("decrypted").hidden = false;
}

// fileItem is a list item for a file a manifest describes, with a button
// to decrypt and save the object id that holds it.
function fileItem(f, id, onSave) {
  const li = document.createElement("li");
  li.append(text("span", f.name + " (" + (f.type || "unknown type") + ", " + f.size + " bytes) "));
  if (id) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Decrypt and save";
    button.dataset.object = id;
    button.addEventListener("click", () => onSave(id, f));
    li.append(button);
  }
  return li;
}

function text(tag, s) {
  const el = document.createElement(tag);
  el.textContent = s;
  return el;
}

// largeFile is the size from which a file is decrypted straight to disk
// where the browser offers a file picker.
const largeFile = 64 << 20;

// safeName is a file name without path separators.
function safeName(name) {
  return (name || "file").replace(/[\/\\]/g, "_");
}

// save offers the plaintext as a download under its original name. The
// Blob stays in this browser.
function save(blob, file) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = safeName(file.name);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// decryptDocuments lists a case's documents with their names, decrypted
// here from each document's encrypted meta, and a button to decrypt and
// save each.
async function decryptDocuments(pgp, privateKey, caseID, onSave) {
  const { documents } = await getOK("/api/v1/cases/" + encodeURIComponent(caseID) + "/documents").then((r) => r.json());
  const list = byId("documents");
  list.replaceChildren();
  for (const d of documents) {
    const message = await pgp.readMessage({ binaryMessage: fromBase64(d.meta) });
    let meta;
    try {
      const { data } = await pgp.decrypt({ message, decryptionKeys: privateKey, format: "binary" });
      meta = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
    } catch (e) {
      throw new Error("A document's name does not decrypt with this key: " + (e.message || e));
    }
    const li = document.createElement("li");
    li.append(text("span", meta.name + " (" + (meta.type || "unknown type") + ", " + meta.size + " bytes), added by " + d.author + " on " + d.created_at.slice(0, 10) + " "));
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Decrypt and save";
    button.addEventListener("click", () => onSave("/api/v1/documents/" + encodeURIComponent(d.id), meta));
    li.append(button);
    list.append(li);
  }
  if (!documents.length) list.append(text("li", "No documents yet."));
}

// setUpDocumentUpload encrypts a file and its name here, to the desk's
// keys, and uploads only the ciphertext: the meta part first, then the
// document. A worker (crypto-worker.js) hashes and encrypts it, as a
// source's page does, so that a large document does not freeze the page.
function setUpDocumentUpload(form) {
  form.hidden = false;
  const status = (s) => {
    byId("document-status").textContent = s;
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = byId("document-file").files[0];
    if (!file) {
      status("Choose a file first.");
      return;
    }
    const button = form.querySelector("button");
    button.disabled = true;
    let crypt = null;
    try {
      status("Encrypting " + file.name + "…");
      const { startWorker } = await import(form.dataset.worker);
      crypt = await startWorker(form.dataset.worker, [form.dataset.openpgp, form.dataset.hash, form.dataset.seipd]);
      const desk = await getOK("/api/v1/desks/" + encodeURIComponent(form.dataset.desk) + "/keys").then((r) => r.json());
      await crypt.call("readKeys", { keys: desk.keys.map((armored) => ({ armored })) });
      const [sha256, body] = await Promise.all([crypt.call("sha256", { data: file }), crypt.call("encryptWhole", { data: file })]);
      const meta = { name: file.name, type: file.type, size: file.size, sha256 };
      const metaMessage = await crypt.call("encryptWhole", { data: new TextEncoder().encode(JSON.stringify(meta)) });
      const fd = new FormData();
      fd.append("meta", metaMessage, "meta.pgp");
      fd.append("document", body, "document.pgp");
      status("Uploading…");
      const res = await fetch("/api/v1/cases/" + encodeURIComponent(form.dataset.case) + "/documents", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": form.dataset.csrf },
        body: fd,
      });
      if (res.status !== 201) throw new Error(await errorMessage(res, "The document was not accepted"));
      window.location.reload();
    } catch (e) {
      status(e.message || String(e));
    } finally {
      if (crypt) crypt.terminate();
      button.disabled = false;
    }
  });
}

// fromBase64 decodes the base64 the JSON API gives for bytes.
function fromBase64(s) {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}
