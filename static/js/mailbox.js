// The source's mailbox with JavaScript on (templates/intake_login.html and
// intake_mailbox.html): replies are decrypted here, and files encrypted
// here. Without this script both pages work as plain forms, and the server
// does both in memory for the one request.
//
// Replies: the codename form posts to /mailbox/unlock, which answers with
// the source's reply key still locked, the passphrase the codename derives
// (only the server can derive it: it takes the server's secret pepper, so
// that a stolen database cannot be searched for codenames), and the
// replies as stored. The key is unlocked and the replies decrypted here;
// the server never holds the unlocked key or a reply's text.
//
// Files:
// The form works without JavaScript: the server encrypts what it receives,
// in memory, as for tips. With this script, each chosen file and the list
// of their names (a follow-up manifest, {"files": [...]}) are encrypted
// here to the desk's keys and only the ciphertext is sent; the server
// checks each message is to exactly those keys. The encryption and the
// hashing run in two workers (crypto-worker.js), as on the desk form: on
// the page's thread a large file froze the page for seconds. The message
// text still goes to the server as typed, which refuses one holding a
// codename (it could not check encrypted text) and encrypts it at once.
//
// Loading: as submit.js, this module is loaded with Subresource Integrity
// and import()s the modules the page preloads with integrity values.

const form = document.getElementById("followup");
const codenameForm = document.querySelector("form.login");

function supported() {
  const link = document.createElement("link");
  return (
    window.crypto && crypto.getRandomValues && window.ReadableStream && window.TransformStream &&
    window.fetch && window.DOMParser && window.Worker && typeof Blob.prototype.stream === "function" &&
    link.relList && link.relList.supports && link.relList.supports("modulepreload")
  );
}

if (form && form.dataset.openpgp && form.dataset.worker && supported()) {
  bind(form);
}
// An error the server's page shows takes the focus, for screen readers.
focusError();

function focusError() {
  const error = document.getElementById("mailbox-error");
  if (error) error.focus();
}
if (codenameForm && codenameForm.dataset.openpgp && supported()) {
  bindCodename(codenameForm);
}

// bindCodename takes over the codename form: log in (or unlock again) and
// decrypt the replies here.
function bindCodename(login) {
  login.dataset.decrypt = "browser";
  login.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = login.querySelector("button[type=submit]");
    button.disabled = true;
    unlock(login)
      .catch((e) => showError(login, e))
      .finally(() => {
        button.disabled = false;
      });
  });
}

async function unlock(login) {
  const codename = login.elements.codename.value;
  const res = await fetch("/mailbox/unlock" + location.search, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ codename }),
  });
  const answer = await res.json();
  if (!res.ok) {
    login.elements.codename.value = "";
    throw new Error((answer.error && answer.error.message) || String(res.status));
  }
  login.elements.codename.value = "";
  // From the login page, show the mailbox the new session opens.
  if (!document.getElementById("replies")) {
    const page = await fetch("/mailbox" + location.search, { credentials: "same-origin" });
    const doc = new DOMParser().parseFromString(await page.text(), "text/html");
    document.querySelector("main").replaceWith(document.adoptNode(doc.querySelector("main")));
    const followup = document.getElementById("followup");
    if (followup && supported()) bind(followup);
  }
  const replies = document.getElementById("replies");
  if (!answer.has_key) return; // the page already says replies are impossible
  const openpgp = await import(login.dataset.openpgp);
  const privateKey = await openpgp.decryptKey({
    privateKey: await openpgp.readPrivateKey({ armoredKey: answer.key }),
    passphrase: answer.passphrase,
  });
  const shown = [];
  for (const m of answer.thread) {
    const mine = m.author !== "staff";
    const article = document.createElement("article");
    article.className = "message " + (mine ? "mine" : "reply");
    const h = document.createElement("h3");
    const day = document.createElement("time");
    day.dateTime = m.day;
    day.textContent = m.day;
    h.append((mine ? replies.dataset.you : replies.dataset.from) + " · ", day);
    article.append(h);
    try {
      const message = await openpgp.readMessage({ binaryMessage: Uint8Array.from(atob(m.message), (c) => c.charCodeAt(0)) });
      const { data } = await openpgp.decrypt({ message, decryptionKeys: privateKey });
      const pre = document.createElement("pre");
      pre.className = "reply-text";
      pre.textContent = data;
      article.append(pre);
    } catch (e) {
      // A message of the source's sent before it was also encrypted to
      // the source's key: only investigators read it. A reply always opens.
      if (!mine) throw e;
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = replies.dataset.unreadable;
      article.append(p);
    }
    shown.push(article);
  }
  if (shown.length === 0) {
    const p = document.createElement("p");
    p.textContent = replies.dataset.none;
    shown.push(p);
  }
  replies.replaceChildren(...shown);
  replies.dataset.decrypted = "browser";
}

// bind takes over the form's submission when files are chosen; a message
// alone is sent the ordinary way.
function bind(form) {
  form.dataset.encrypt = "browser";
  form.addEventListener("submit", (event) => {
    const files = Array.from(form.elements.files.files);
    if (files.length === 0) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    send(form, files)
      .catch((e) => {
        showError(form, e);
        button.disabled = false;
      });
  });
}

async function send(form, files) {
  const { startWorker } = await import(form.dataset.worker);
  const crypt = await startWorker(form.dataset.worker, [form.dataset.openpgp, form.dataset.hash, form.dataset.seipd]);
  try {
    const hasher = await startWorker(form.dataset.worker, [form.dataset.hash]);
    try {
      await sendEncrypted(form, files, crypt, hasher);
    } finally {
      hasher.terminate();
    }
  } finally {
    crypt.terminate();
  }
}

// sendEncrypted sends the follow-up with files, encrypted by the worker
// crypt and hashed by the worker hasher, and shows the page that answers.
async function sendEncrypted(form, files, crypt, hasher) {
  const lang = encodeURIComponent(document.documentElement.lang);
  const res = await fetch("/api/v1/desks/" + encodeURIComponent(form.dataset.desk) + "?lang=" + lang, { credentials: "same-origin" });
  if (!res.ok) {
    // The server says what is wrong in the page's language (a closed desk,
    // an unreachable store); fall back to the status.
    const problem = await res.json().catch(() => null);
    throw new Error((problem && problem.error && problem.error.message) || "the desk's keys could not be loaded (" + res.status + ")");
  }
  const desk = await res.json();
  // The worker checks each key against its fingerprint.
  await crypt.call("readKeys", { keys: desk.keys });
  // Each file is hashed in one worker while the other encrypts it; the
  // manifest, made once all are, goes first: the server records it
  // before the files.
  const sums = files.map((file) => hasher.call("sha256", { data: file }));
  for (const p of sums) p.catch(() => {}); // counted where awaited
  const encrypted = [];
  const described = [];
  for (const [i, file] of files.entries()) {
    encrypted.push(await crypt.call("encryptWhole", { data: file }));
    described.push({ name: file.name, type: file.type, size: file.size, sha256: await sums[i] });
  }
  const manifest = new TextEncoder().encode(JSON.stringify({ files: described }));
  const body = new FormData();
  body.append("message", form.elements.message.value);
  body.append("encrypted_manifest", await crypt.call("encryptWhole", { data: manifest }), "manifest.pgp");
  for (const blob of encrypted) body.append("encrypted_files", blob, "file.pgp");
  const answer = await fetch(form.action, { method: "POST", credentials: "same-origin", body });
  // The answer is the mailbox page, with what happened: show it.
  const page = new DOMParser().parseFromString(await answer.text(), "text/html");
  document.querySelector("main").replaceWith(document.adoptNode(page.querySelector("main")));
  const again = document.getElementById("followup");
  if (again) bind(again);
  focusError();
}

function showError(form, e) {
  const text = e.message || String(e);
  if (form.classList.contains("login")) {
    showMessage(form, text);
  } else {
    showMessage(form, (document.documentElement.lang.startsWith("zh") ? "加密失败：" : "Encryption failed: ") + text);
  }
}

// showMessage puts a message in the form's error summary, and moves the
// focus to it.
function showMessage(form, text) {
  let el = form.querySelector(".error-summary");
  if (!el) {
    el = document.createElement("div");
    el.className = "error-summary";
    el.setAttribute("role", "alert");
    el.tabIndex = -1;
    el.append(document.createElement("p"));
    form.prepend(el);
  }
  el.firstChild.textContent = text;
  el.focus();
}
