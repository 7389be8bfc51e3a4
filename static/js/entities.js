// Tipline casework: entity suggestions for a decrypted tip.
//
// casework.js decrypts the manifest in this browser and dispatches the
// document event "tipline:parties" with the parties the source named. This
// module sends their names, roles and countries (nothing else of the tip)
// to POST /api/v1/submissions/:id/entity-suggestions, which stores nothing,
// and shows for each party the desk's entities that match it, with their
// scores, the reasons and their screening flags, and the screening-list
// parties the name matches. One click links a party to an entity in its
// role, or creates the entity and links it; only what the investigator
// confirms reaches the server's storage.
//
// Names are the source's words: they go into the page as text nodes only.

"use strict";

const section = document.getElementById("entity-suggestions");
if (section) {
  document.addEventListener("tipline:parties", (ev) => {
    suggest(section, (ev.detail && ev.detail.parties) || []);
  });
}

// roleWords is how a role reads in a sentence: "freight_forwarder" →
// "freight forwarder".
function roleWords(role) {
  return String(role || "other").replace(/_/g, " ");
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const c of children) {
    if (c === null || c === undefined || c === "") continue;
    node.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

function entityLink(id, name) {
  return el("a", { href: "/entities/" + encodeURIComponent(id) }, name);
}

function score(s) {
  return (Number(s) || 0).toFixed(2);
}

// api sends a JSON request with the session cookie and the page's CSRF
// token and returns the decoded answer, or throws with the API's message.
async function api(method, url, body) {
  const headers = { "X-CSRF-Token": section.dataset.csrf };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(url, {
    method,
    credentials: "same-origin",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await res.json();
  } catch (_) {
    // No JSON body.
  }
  if (!res.ok) {
    const msg = data && data.error && data.error.message;
    throw new Error(msg || "The server answered " + res.status + ".");
  }
  return data;
}

// countryCode is the party's country when it is an ISO 3166-1 code, which
// the questionnaire gives when the source's entry matched a country.
function countryCode(p) {
  return /^[A-Za-z]{2}$/.test(p.country || "") ? p.country.toUpperCase() : "";
}

async function suggest(section, parties) {
  const list = document.getElementById("entity-suggestions-list");
  const named = parties.filter((p) => p && typeof p.name === "string" && p.name.trim());
  section.hidden = false;
  if (!named.length) {
    list.replaceChildren(el("p", {}, "The tip names no party."));
    return;
  }
  list.replaceChildren(el("p", { className: "muted", role: "status" }, "Matching " + named.length + " part" + (named.length === 1 ? "y" : "ies") + "…"));
  const sub = encodeURIComponent(section.dataset.submission);
  let answer;
  try {
    answer = await api("POST", "/api/v1/submissions/" + sub + "/entity-suggestions", {
      parties: named.map((p) => {
        const q = { name: p.name.trim() };
        if (p.role) q.role = p.role;
        const cc = countryCode(p);
        if (cc) q.country = cc;
        return q;
      }),
    });
  } catch (e) {
    list.replaceChildren(el("p", { className: "cw-error", role: "alert" }, "Could not match the parties: " + e.message));
    return;
  }
  list.replaceChildren();
  (answer.suggestions || []).forEach((sg, i) => list.append(partyCard(sg, named[i] || {})));
}

// partyCard shows one party: who the source says it is, the entities it
// may be, the screening lists that name it, and the buttons to link it.
function partyCard(sg, party) {
  const card = el("article", { className: "cw-party" });
  const role = sg.role;
  const where = party.country_name || party.country || "";
  card.append(el("h3", {}, sg.party.name));
  card.append(el("p", { className: "muted" },
    "Named as " + (party.role_label || roleWords(party.role || role)) + (where ? " · " + where : "") + (party.identifiers ? " · " + party.identifiers : "")));
  const status = el("p", { className: "cw-party-status", role: "status" });
  const linked = new Set(sg.linked || []);
  const buttons = [];
  // done shows the link made: the other choices go, and the entity's
  // corroboration and screening flags come.
  const done = async (entityID, verb, chosen) => {
    for (const b of buttons) {
      if (b === chosen) {
        b.replaceWith(el("strong", { className: "cw-linked" }, "✓ Linked as " + roleWords(role)));
      } else {
        b.disabled = true;
      }
    }
    newRow.remove();
    status.replaceChildren(verb + " as " + roleWords(role) + ". ");
    await showLinked(status, entityID);
  };

  if (sg.screening && sg.screening.length) {
    const box = el("div", { className: "cw-screening" }, el("p", {}, el("strong", {}, "On a screening list")));
    const ul = el("ul");
    for (const f of sg.screening) ul.append(el("li", {}, flagText(f)));
    box.append(ul);
    card.append(box);
  }

  if (sg.entities && sg.entities.length) {
    card.append(el("p", {}, "Known entities that match:"));
    const ol = el("ol", { className: "cw-matches" });
    for (const m of sg.entities) {
      const e = m.entity;
      const li = el("li", { className: "cw-match" });
      const head = el("p", {}, el("span", { className: "cw-score", title: "match score, 0 to 1" }, score(m.score)), " ", entityLink(e.id, e.name), " ",
        el("span", { className: "muted" }, e.kind + ((e.countries || []).length ? " · " + e.countries.join(", ") : "")));
      if (m.matched_name && m.matched_name !== e.name) head.append(el("span", { className: "muted" }, " · matched “" + m.matched_name + "”"));
      li.append(head);
      for (const f of e.screening || []) li.append(el("p", { className: "cw-flag cw-flag-screened" }, "Listed: " + flagText(f)));
      if ((m.explanation || []).length) li.append(el("p", { className: "muted cw-why" }, "Why: " + m.explanation.join("; ")));
      if (linked.has(e.id)) {
        li.append(el("p", {}, el("strong", {}, "Already linked to this tip.")));
      } else {
        const b = el("button", { type: "button", className: "cw-link-entity" }, "Link as " + roleWords(role));
        b.dataset.entity = e.id;
        b.addEventListener("click", async () => {
          b.disabled = true;
          status.replaceChildren("Linking…");
          try {
            await link(e.id, role);
            await done(e.id, "Linked to " + e.name, b);
          } catch (err) {
            status.replaceChildren(el("span", { className: "cw-error", role: "alert" }, err.message));
            b.disabled = false;
          }
        });
        buttons.push(b);
        li.append(el("p", {}, b));
      }
      ol.append(li);
    }
    card.append(ol);
  } else {
    card.append(el("p", {}, "No known entity matches this name."));
  }

  // Create and link: a new entity named as the source wrote it.
  const kind = el("select", { className: "cw-new-kind", title: "Kind of the new entity" });
  for (const k of ["organization", "person", "vessel", "aircraft", "address", "account", "domain", "email", "phone", "product", "shipment"]) {
    kind.append(el("option", { value: k }, k));
  }
  const create = el("button", { type: "button", className: "cw-create-entity" }, "Create and link");
  create.addEventListener("click", async () => {
    create.disabled = true;
    status.replaceChildren("Creating…");
    let created = null;
    try {
      const cc = countryCode(party);
      created = await api("POST", "/api/v1/entities", {
        desk: section.dataset.desk,
        kind: kind.value,
        name: sg.party.name,
        countries: cc ? [cc] : [],
      });
      await link(created.id, role);
      await done(created.id, "Created " + created.name + " and linked it", create);
    } catch (err) {
      const parts = [el("span", { className: "cw-error", role: "alert" }, err.message)];
      if (created) parts.push(" The entity was created: ", entityLink(created.id, created.name), ".");
      status.replaceChildren(...parts);
      create.disabled = !!created;
    }
  });
  buttons.push(create);
  const newRow = el("p", { className: "cw-inline-form" }, "Or a new entity: “" + sg.party.name + "” as ", kind, " ", create);
  card.append(newRow);
  card.append(status);
  return card;
}

function flagText(f) {
  let s = f.list + ": " + f.listed_name;
  if (f.matched_name && f.matched_name !== f.listed_name) s += " (as “" + f.matched_name + "”)";
  return s + ", score " + score(f.score);
}

function link(entityID, role) {
  const sub = encodeURIComponent(section.dataset.submission);
  return api("POST", "/api/v1/submissions/" + sub + "/entities", { entity: entityID, role });
}

// showLinked adds to status what the desk now knows of the entity: how
// many submissions name it and whether it is on a screening list.
async function showLinked(status, entityID) {
  try {
    const d = await api("GET", "/api/v1/entities/" + encodeURIComponent(entityID));
    const c = d.corroboration || {};
    const n = c.submissions || 0;
    status.append("Named by " + n + " submission" + (n === 1 ? "" : "s") + (c.first_seen ? ", first received " + c.first_seen : "") + ". ");
    if ((d.screening || []).length) {
      status.append(el("strong", { className: "cw-flag cw-flag-screened" }, "On a screening list: " + d.screening.map((f) => f.list).join("; ") + ". "));
    }
    status.append(entityLink(d.id, "Open " + d.name));
  } catch (err) {
    status.append(entityLink(entityID, "Open the entity"));
  }
}
