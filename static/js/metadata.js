// Hidden information in the files a source attaches (templates/intake_desk.html).
//
// Photos and documents carry data besides what they show: where and when a
// photo was taken, the phone and its serial number, the author's name. As
// soon as files are chosen, this module reads what it can of it and tells
// the source, in the page's language, what it found. Before encryption,
// static/js/submit.js asks cleanFile for each file: JPEG, PNG and WebP
// photos are rewritten without their EXIF, XMP, IPTC, comment and text
// data, unless the source ticked "keep" for that file. The picture data is
// copied unchanged (slices of the original, so a large file is never held
// in memory whole), and a JPEG keeps its orientation so it still shows
// upright.
//
// What is only reported, and why: HEIC photos (their metadata sits in
// items that a rewrite here could not move safely), PDF and Office
// documents (their fields live inside compressed parts of the file). The
// notice says how to clean them before attaching. Other kinds of files
// are listed as not checked.
//
// Everything here runs in the browser; nothing is sent anywhere. The page's
// texts come from data attributes of #js-metadata (intake/lang_messages.go).

const strings = () => document.getElementById("js-metadata").dataset;
const say = (key, ...args) => (strings()[key] || key).replace(/%[sd]/g, () => String(args.shift()));

// The reports of the files chosen so far, by file: a promise each.
const reports = new WeakMap();

// watch shows the notice for the files chosen in form's file inputs.
export function watch(form) {
  for (const input of form.querySelectorAll("input[type=file]")) {
    input.addEventListener("change", () => show(input));
    if (input.files.length > 0) show(input);
  }
}

// cleanFile returns what to encrypt for file: file itself, or a copy
// without its metadata, with the same name and type.
export async function cleanFile(file) {
  const r = await report(file);
  if (!r.cleaned || r.keep) return file;
  return new File([r.cleaned], file.name, { type: file.type });
}

function report(file) {
  if (!reports.has(file)) {
    reports.set(file, inspect(file).catch(() => ({ kind: "unreadable", found: [] })));
  }
  return reports.get(file);
}

// ---------------------------------------------------------------- notice

let shown = 0; // makes the ids of a newer notice unique

async function show(input) {
  const box = document.getElementById("js-metadata");
  input.after(box);
  const files = Array.from(input.files);
  const results = await Promise.all(files.map(report));
  if (input.files.length !== files.length || !files.every((f, i) => input.files[i] === f)) return; // chosen again meanwhile
  shown++;
  const parts = [];
  const clean = [];
  const unchecked = [];
  files.forEach((file, i) => {
    const r = results[i];
    if (r.kind === "other") unchecked.push(file.name);
    else if (r.found.length === 0 && r.kind !== "unreadable") clean.push(file.name);
    else parts.push(fileNotice(file, r, shown + "-" + i));
  });
  // How to clean what this page cannot, once for all such files.
  for (const kind of ["document", "heic"]) {
    if (results.some((r) => r.kind === kind && r.found.length > 0)) parts.push(paragraph(say("metadata_" + kind + "_advice"), "metadata-advice"));
  }
  if (clean.length > 0) parts.push(paragraph(say("metadata_none", clean.join(", "))));
  if (unchecked.length > 0) parts.push(paragraph(say("metadata_not_checked", unchecked.join(", "))));
  const heading = document.createElement("p");
  heading.className = "metadata-heading";
  heading.textContent = say("metadata_heading");
  box.replaceChildren(heading, ...parts);
  box.hidden = files.length === 0;
}

function paragraph(text, className) {
  const p = document.createElement("p");
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

// The order of what was found, most revealing first.
const ORDER = ["gps", "camera", "serial", "maker_note", "owner", "company", "date", "software", "comment", "exif", "xmp", "iptc", "other"];

// fileNotice says what was found in one file and what will happen to it.
function fileNotice(file, r, id) {
  const div = document.createElement("div");
  div.className = "metadata-file";
  div.dataset.kind = r.kind;
  if (r.kind === "unreadable") {
    div.append(paragraph(say("metadata_unreadable", file.name)));
    return div;
  }
  div.append(paragraph(say(r.kind === "document" ? "metadata_found_document" : "metadata_found", file.name)));
  const ul = document.createElement("ul");
  const rank = ([key]) => ORDER.indexOf(key);
  for (const [key, value] of [...r.found].sort((a, b) => rank(a) - rank(b))) {
    const li = document.createElement("li");
    const label = document.createElement("strong");
    label.textContent = say("metadata_" + key);
    li.append(label);
    if (value) li.append(": ", value.length > 120 ? value.slice(0, 117) + "…" : value);
    ul.append(li);
  }
  div.append(ul);
  if (r.cleaned) {
    div.append(paragraph(say("metadata_will_remove"), "metadata-remove"));
    const label = document.createElement("label");
    label.className = "metadata-keep";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = "metadata-keep-" + id;
    box.checked = r.keep;
    box.addEventListener("change", () => {
      r.keep = box.checked;
    });
    label.append(box, " ", say("metadata_keep"));
    div.append(label);
  }
  return div;
}

// ---------------------------------------------------------------- reading

// Source reads byte ranges of a Blob, through a window of a few MiB.
class Source {
  constructor(blob) {
    this.blob = blob;
    this.size = blob.size;
    this.start = 0;
    this.window = new Uint8Array(0);
  }

  // bytes returns up to length bytes at offset (fewer at the end).
  async bytes(offset, length) {
    const end = Math.min(offset + length, this.size);
    if (offset < this.start || end > this.start + this.window.length) {
      this.start = offset;
      const to = Math.min(this.size, offset + Math.max(length, 4 << 20));
      this.window = new Uint8Array(await this.blob.slice(offset, to).arrayBuffer());
    }
    return this.window.subarray(offset - this.start, end - this.start);
  }
}

const ascii = (b) => String.fromCharCode(...b);
const latin1 = (b) => new TextDecoder("latin1").decode(b);
const utf8 = (b) => new TextDecoder("utf-8").decode(b);
const u16be = (b, i) => (b[i] << 8) | b[i + 1];
const u32be = (b, i) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
const u16le = (b, i) => b[i] | (b[i + 1] << 8);
const u32le = (b, i) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + ((b[i + 3] << 24) >>> 0);
const startsWith = (b, s) => b.length >= s.length && ascii(b.subarray(0, s.length)) === s;
const tidy = (s) => s.replace(/\0+$/, "").replace(/\s+/g, " ").trim();

// inspect reads file's kind and metadata: { kind, found: [[key, value]],
// cleaned: Blob or undefined, keep: false }.
async function inspect(file) {
  const src = new Source(file);
  const head = await src.bytes(0, 64);
  let r;
  if (head[0] === 0xff && head[1] === 0xd8) r = await jpeg(src);
  else if (startsWith(head, "\x89PNG\r\n\x1a\n")) r = await png(src);
  else if (startsWith(head, "RIFF") && ascii(head.subarray(8, 12)) === "WEBP") r = await webp(src);
  else if (ascii(head.subarray(4, 8)) === "ftyp" && /heic|heix|heim|heis|hevc|mif1|msf1|avif/.test(ascii(head.subarray(8, 32)))) r = await heic(src);
  else if (startsWith(head, "%PDF-")) r = await pdf(src);
  else if (startsWith(head, "PK\x03\x04")) r = await office(src);
  else r = { kind: "other", found: [] };
  r.keep = false;
  return r;
}

// Found gathers what was found: per kind of thing, values that no other
// value of that kind contains ("Huawei" goes when "Huawei P60 Pro" comes).
class Found {
  constructor() {
    this.list = [];
  }

  add(key, value) {
    value = value === undefined ? "" : tidy(String(value));
    if (this.list.some(([k, v]) => k === key && v.includes(value))) return;
    this.list = this.list.filter(([k, v]) => k !== key || !value.includes(v));
    this.list.push([key, value]);
  }
}

// ---------------------------------------------------------------- EXIF

// Tags reported from EXIF: IFD0, the Exif IFD and the GPS IFD.
const IFD0_TAGS = {
  0x010e: "comment", 0x010f: "make", 0x0110: "model", 0x0131: "software", 0x0132: "date",
  0x013b: "owner", 0x013c: "software", 0x8298: "owner", 0x9c9b: "comment", 0x9c9c: "comment", 0x9c9d: "owner",
};
const EXIF_TAGS = {
  0x9003: "date", 0x9004: "date", 0x9286: "comment", 0xa420: "serial", 0xa430: "owner", 0xa431: "serial",
  0xa433: "camera", 0xa434: "camera", 0xa435: "serial", 0x927c: "maker_note",
};
const TYPE_SIZES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8];

// exif reads a TIFF structure (EXIF) into found and returns its
// orientation (1 when none).
function exif(b, found) {
  const le = b[0] === 0x49;
  if (!(le && b[1] === 0x49) && !(b[0] === 0x4d && b[1] === 0x4d)) {
    found.add("exif"); // unreadable, and removed all the same
    return 1;
  }
  const u16 = (i) => (le ? u16le(b, i) : u16be(b, i));
  const u32 = (i) => (le ? u32le(b, i) : u32be(b, i));
  let orientation = 1;
  const gps = {};
  const camera = {};
  const ifd = (offset, tags, depth) => {
    if (offset < 8 || offset + 2 > b.length || depth > 3) return;
    const n = u16(offset);
    for (let e = 0; e < n; e++) {
      const at = offset + 2 + 12 * e;
      if (at + 12 > b.length) return;
      const tag = u16(at);
      const type = u16(at + 2);
      const count = u32(at + 4);
      const size = (TYPE_SIZES[type] || 1) * count;
      const pos = size <= 4 ? at + 8 : u32(at + 8);
      if (pos + size > b.length) continue;
      const raw = b.subarray(pos, pos + size);
      const text = () => (tag >= 0x9c9b && tag <= 0x9c9f ? new TextDecoder("utf-16le").decode(raw) : tag === 0x9286 ? latin1(raw.subarray(8)) : utf8(raw));
      const rationals = () => Array.from({ length: count }, (_, k) => u32(pos + 8 * k) / (u32(pos + 8 * k + 4) || 1));
      if (tags === null) { // GPS
        if (tag === 1 || tag === 3) gps[tag] = ascii(raw.subarray(0, 1));
        else if ((tag === 2 || tag === 4) && type === 5) gps[tag] = rationals();
        else gps.other = true;
        continue;
      }
      if (tag === 0x0112 && tags === IFD0_TAGS) orientation = u16(at + 8);
      else if (tag === 0x8769) ifd(u32(at + 8), EXIF_TAGS, depth + 1);
      else if (tag === 0x8825) ifd(u32(at + 8), null, depth + 1);
      else if (tag === 0x927c) found.add("maker_note");
      else if (tags[tag] === "make" || tags[tag] === "model") camera[tags[tag]] = tidy(text());
      else if (tags[tag] && (type === 2 || type === 1 || type === 7) && tidy(text()) !== "") found.add(tags[tag], text());
    }
  };
  ifd(u32(4), IFD0_TAGS, 0);
  if (camera.make || camera.model) { // "Canon" and "Canon EOS R5" make "Canon EOS R5"
    const make = camera.make && !(camera.model || "").startsWith(camera.make) ? camera.make + " " : "";
    found.add("camera", make + (camera.model || ""));
  }
  if (gps[2] && gps[4]) {
    const deg = (v) => (v[0] + (v[1] || 0) / 60 + (v[2] || 0) / 3600).toFixed(5) + "°";
    found.add("gps", deg(gps[2]) + " " + (gps[1] || "") + ", " + deg(gps[4]) + " " + (gps[3] || ""));
  } else if (Object.keys(gps).length > 0) {
    found.add("gps");
  }
  if (found.list.length === 0) found.add("exif");
  return orientation;
}

// xmp reports the fields of an XMP packet that say most about a person
// or a place, or the packet itself.
function xmp(text, found) {
  const field = (name) => {
    const m = new RegExp("<" + name + "[^>]*>\\s*(?:<rdf:\\w+>\\s*<rdf:li[^>]*>)?([^<]+)<|" + name + "=\"([^\"]+)\"").exec(text);
    return m ? m[1] || m[2] : "";
  };
  const before = found.list.length;
  if (field("dc:creator")) found.add("owner", field("dc:creator"));
  if (field("xmp:CreatorTool")) found.add("software", field("xmp:CreatorTool"));
  if (field("exif:GPSLatitude")) found.add("gps", field("exif:GPSLatitude") + ", " + field("exif:GPSLongitude"));
  if (field("tiff:Model")) found.add("camera", field("tiff:Model"));
  if (field("aux:SerialNumber") || field("exifEX:BodySerialNumber")) found.add("serial", field("aux:SerialNumber") || field("exifEX:BodySerialNumber"));
  if (found.list.length === before || /photoshop:History|xmpMM:History/.test(text)) found.add("xmp");
}

// orientationExif is an APP1 segment holding only an EXIF orientation, so
// that a cleaned photo still shows the right way up.
function orientationExif(orientation) {
  // Big-endian TIFF header, one IFD of one entry (tag 0x0112, SHORT, 1), no next IFD.
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const body = [..."Exif\0\0"].map((c) => c.charCodeAt(0)).concat(tiff);
  return new Uint8Array([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body]);
}

// ---------------------------------------------------------------- JPEG

// jpeg walks the segments of a JPEG: APP1 (EXIF, XMP), APP13 (IPTC), COM
// and the other application segments go, except JFIF (APP0), the colour
// profile (APP2 ICC_PROFILE) and Adobe's colour transform (APP14); image
// data is kept; anything after the end of the image goes.
async function jpeg(src) {
  const found = new Found();
  const keep = [src.blob.slice(0, 2)];
  let orientation = 1;
  let afterApp0 = 1; // where the orientation segment goes
  let dropped = false;
  let pos = 2;
  for (;;) {
    let b = await src.bytes(pos, 4);
    if (b.length < 2 || b[0] !== 0xff) throw new Error("not a JPEG segment");
    if (b[1] === 0xff) { // fill byte
      pos++;
      continue;
    }
    const marker = b[1];
    if (marker === 0xd9) {
      keep.push(src.blob.slice(pos, pos + 2));
      pos += 2;
      break;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      keep.push(src.blob.slice(pos, pos + 2));
      pos += 2;
      continue;
    }
    if (b.length < 4) throw new Error("truncated JPEG");
    const end = pos + 2 + u16be(b, 2);
    const isApp = marker >= 0xe0 && marker <= 0xef;
    if (isApp || marker === 0xfe) {
      b = await src.bytes(pos + 4, Math.min(end - pos - 4, 16 << 20));
      const kept = (marker === 0xe0 && (startsWith(b, "JFIF\0") || startsWith(b, "JFXX\0"))) ||
        (marker === 0xe2 && startsWith(b, "ICC_PROFILE\0")) || (marker === 0xee && startsWith(b, "Adobe"));
      if (kept) {
        keep.push(src.blob.slice(pos, end));
        if (marker === 0xe0 && keep.length === 2) afterApp0 = 2;
      } else {
        dropped = true;
        if (marker === 0xe1 && startsWith(b, "Exif\0")) orientation = exif(b.subarray(6), found);
        else if (marker === 0xe1 && /^http:\/\/ns\.adobe\.com\/(xap|xmp)\//.test(ascii(b.subarray(0, 40)))) xmp(utf8(b), found);
        else if (marker === 0xed) found.add("iptc");
        else if (marker === 0xfe) found.add("comment", latin1(b));
        else found.add("other");
      }
    } else {
      keep.push(src.blob.slice(pos, end));
    }
    pos = end;
    if (marker === 0xda) { // entropy-coded data runs to the next marker
      const start = pos;
      pos = await nextMarker(src, pos);
      keep.push(src.blob.slice(start, pos));
    }
  }
  if (src.size - pos > 32) found.add("other");
  if (!dropped && src.size === pos) return { kind: "jpeg", found: [] };
  if (orientation > 1 && orientation <= 8) keep.splice(afterApp0, 0, orientationExif(orientation));
  return { kind: "jpeg", found: found.list, cleaned: new Blob(keep, { type: "image/jpeg" }) };
}

// nextMarker returns the position of the first marker at or after pos
// that is not part of entropy-coded data (FF 00 and restart markers are).
async function nextMarker(src, pos) {
  for (;;) {
    const b = await src.bytes(pos, 1 << 20);
    if (b.length < 2) throw new Error("JPEG ends in image data");
    for (let i = b.indexOf(0xff); i >= 0 && i + 1 < b.length; i = b.indexOf(0xff, i + 1)) {
      const m = b[i + 1];
      if (m !== 0 && m !== 0xff && !(m >= 0xd0 && m <= 0xd7)) return pos + i;
    }
    pos += b.length - 1;
  }
}

// ---------------------------------------------------------------- PNG

// PNG chunks that carry metadata: EXIF, text (XMP is an iTXt), and the
// time of the last change.
const PNG_DROP = new Set(["eXIf", "tEXt", "iTXt", "zTXt", "tIME"]);

// PNG text keywords, by what they say.
const PNG_KEYWORDS = {
  Author: "owner", Artist: "owner", Copyright: "owner", Make: "camera", Model: "camera", Software: "software", "Creation Time": "date",
  Comment: "comment", Description: "comment", Title: "comment", Source: "camera", Disclaimer: "comment", Warning: "comment",
};

async function png(src) {
  const found = new Found();
  const keep = [src.blob.slice(0, 8)];
  let dropped = false;
  let pos = 8;
  for (;;) {
    const h = await src.bytes(pos, 8);
    if (h.length < 8) throw new Error("truncated PNG");
    const type = ascii(h.subarray(4, 8));
    const end = pos + 12 + u32be(h, 0);
    if (PNG_DROP.has(type)) {
      dropped = true;
      const data = await src.bytes(pos + 8, Math.min(end - 12 - pos, 16 << 20));
      await pngChunk(type, data, found);
    } else {
      keep.push(src.blob.slice(pos, end));
    }
    pos = end;
    if (type === "IEND") break;
  }
  if (src.size > pos) found.add("other");
  if (!dropped && src.size === pos) return { kind: "png", found: [] };
  return { kind: "png", found: found.list, cleaned: new Blob(keep, { type: "image/png" }) };
}

// pngChunk reports one metadata chunk.
async function pngChunk(type, data, found) {
  if (type === "eXIf") {
    exif(data, found);
    return;
  }
  if (type === "tIME") {
    found.add("date", u16be(data, 0) + "-" + data[2] + "-" + data[3]);
    return;
  }
  const nul = data.indexOf(0);
  const keyword = latin1(data.subarray(0, nul));
  let text = "";
  try {
    if (type === "tEXt") text = latin1(data.subarray(nul + 1));
    else if (type === "zTXt") text = latin1(await inflate(data.subarray(nul + 2)));
    else { // iTXt: keyword, compression flag and method, language, translated keyword, text
      let at = nul + 3;
      at = data.indexOf(0, at) + 1;
      at = data.indexOf(0, at) + 1;
      text = utf8(data[nul + 1] ? await inflate(data.subarray(at)) : data.subarray(at));
    }
  } catch {
    // compressed text that does not inflate: reported by keyword only
  }
  if (keyword === "XML:com.adobe.xmp") xmp(text, found);
  else if (/^Raw profile type (exif|APP1)$/i.test(keyword)) found.add("exif");
  else if (/^Raw profile type iptc$/i.test(keyword)) found.add("iptc");
  else if (PNG_KEYWORDS[keyword]) found.add(PNG_KEYWORDS[keyword], text);
  else found.add("other", keyword + (text && text.length < 200 ? ": " + text : ""));
}

// inflate decompresses zlib data.
async function inflate(bytes, format = "deflate") {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// ---------------------------------------------------------------- WebP

// webp drops the EXIF and XMP chunks of a WebP (RIFF) file, clears their
// flags in the VP8X chunk and writes the new RIFF size.
async function webp(src) {
  const found = new Found();
  const keep = [];
  let dropped = false;
  let pos = 12;
  const riffEnd = Math.min(src.size, 8 + u32le(await src.bytes(4, 4), 0));
  while (pos + 8 <= riffEnd) {
    const h = await src.bytes(pos, 8);
    const type = ascii(h.subarray(0, 4));
    const size = u32le(h, 4);
    const end = Math.min(riffEnd, pos + 8 + size + (size & 1));
    if (type === "EXIF" || type === "XMP ") {
      dropped = true;
      const data = await src.bytes(pos + 8, Math.min(size, 16 << 20));
      if (type === "XMP ") xmp(utf8(data), found);
      else exif(startsWith(data, "Exif\0\0") ? data.subarray(6) : data, found);
    } else if (type === "VP8X") {
      const chunk = (await src.bytes(pos, end - pos)).slice();
      chunk[8] &= ~0x0c; // the EXIF (0x08) and XMP (0x04) flags
      keep.push(chunk);
    } else {
      keep.push(src.blob.slice(pos, end));
    }
    pos = end;
  }
  if (!dropped) return { kind: "webp", found: [] };
  const body = new Blob(keep);
  const header = new Uint8Array(12);
  header.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  new DataView(header.buffer).setUint32(4, body.size + 4, true);
  header.set([0x57, 0x45, 0x42, 0x50], 8); // WEBP
  return { kind: "webp", found: found.list, cleaned: new Blob([header, body], { type: "image/webp" }) };
}

// ---------------------------------------------------------------- HEIC

// heic reports the EXIF and XMP items of a HEIF file (HEIC, AVIF). They
// are only reported: removing them means rewriting the file's item
// locations, which this page does not risk.
async function heic(src) {
  const found = new Found();
  const top = await boxes(src, 0, src.size);
  const meta = top.find((b) => b.type === "meta");
  if (!meta) return { kind: "heic", found: [] };
  const children = await boxes(src, meta.body + 4, meta.end);
  const iinf = children.find((b) => b.type === "iinf");
  const iloc = children.find((b) => b.type === "iloc");
  if (!iinf) return { kind: "heic", found: [] };
  const items = await itemTypes(src, iinf);
  const locations = iloc ? await itemLocations(src, iloc) : new Map();
  for (const [id, type] of items) {
    if (type !== "Exif" && type !== "mime") continue;
    const at = locations.get(id);
    const data = at ? await src.bytes(at.offset, Math.min(at.length, 16 << 20)) : null;
    if (type === "mime") {
      if (data && /<x:xmpmeta|<rdf:RDF/.test(utf8(data))) xmp(utf8(data), found);
      continue;
    }
    if (data) exif(data.subarray(4 + u32be(data, 0)), found);
    else found.add("exif");
  }
  return { kind: "heic", found: found.list };
}

// boxes lists the ISO base media boxes between from and to.
async function boxes(src, from, to) {
  const list = [];
  for (let pos = from; pos + 8 <= to;) {
    const h = await src.bytes(pos, 16);
    let size = u32be(h, 0);
    let body = pos + 8;
    if (size === 1) {
      size = u32be(h, 8) * 2 ** 32 + u32be(h, 12);
      body = pos + 16;
    } else if (size === 0) {
      size = to - pos;
    }
    if (size < 8) break;
    list.push({ type: ascii(h.subarray(4, 8)), body, end: pos + size });
    pos += size;
  }
  return list;
}

// itemTypes reads the item ids and types of an iinf box.
async function itemTypes(src, iinf) {
  const b = await src.bytes(iinf.body, iinf.end - iinf.body);
  const version = b[0];
  const entries = await boxes(src, iinf.body + (version === 0 ? 6 : 8), iinf.end);
  const items = new Map();
  for (const e of entries.filter((x) => x.type === "infe")) {
    const d = await src.bytes(e.body, e.end - e.body);
    if (d[0] < 2) continue;
    const id = d[0] === 2 ? u16be(d, 4) : u32be(d, 4);
    const at = d[0] === 2 ? 8 : 10;
    items.set(id, ascii(d.subarray(at, at + 4)));
  }
  return items;
}

// itemLocations reads where the single-extent items of an iloc box are
// stored in the file.
async function itemLocations(src, iloc) {
  const b = await src.bytes(iloc.body, iloc.end - iloc.body);
  const version = b[0];
  const offsetSize = b[4] >> 4;
  const lengthSize = b[4] & 15;
  const baseSize = b[5] >> 4;
  const indexSize = version > 0 ? b[5] & 15 : 0;
  let at = 6;
  const read = (n) => {
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 256 + b[at + k];
    at += n;
    return v;
  };
  const count = read(version < 2 ? 2 : 4);
  const places = new Map();
  for (let i = 0; i < count && at < b.length; i++) {
    const id = read(version < 2 ? 2 : 4);
    const method = version > 0 ? read(2) & 15 : 0;
    read(2); // data reference index
    const base = read(baseSize);
    const extents = read(2);
    for (let e = 0; e < extents; e++) {
      read(indexSize);
      const offset = read(offsetSize);
      const length = read(lengthSize);
      if (extents === 1 && method === 0) places.set(id, { offset: base + offset, length });
    }
  }
  return places;
}

// ---------------------------------------------------------------- documents

// pdf reports the author, creator and producer of a PDF, from its
// document information dictionary and its XMP, where they are readable
// (not inside compressed streams).
async function pdf(src) {
  const found = new Found();
  const limit = 8 << 20;
  const parts = src.size <= 2 * limit ? [[0, src.size]] : [[0, limit], [src.size - limit, limit]];
  for (const [from, length] of parts) {
    const text = latin1(await src.bytes(from, length));
    const info = /\/(Author|Creator|Producer|Title|Subject|Keywords)\s*(\((?:\\[\s\S]|[^\\)])*\)|<[0-9A-Fa-f\s]*>)/g;
    for (let m; (m = info.exec(text)) !== null;) {
      const value = pdfString(m[2]);
      if (value.trim() !== "") found.add(PDF_FIELDS[m[1]], value);
    }
    const x = /<x:xmpmeta[\s\S]*?<\/x:xmpmeta>/.exec(text);
    if (x) xmp(utf8(Uint8Array.from(x[0], (c) => c.charCodeAt(0))), found);
  }
  return { kind: "document", found: found.list };
}

const PDF_FIELDS = { Author: "owner", Creator: "software", Producer: "software", Title: "comment", Subject: "comment", Keywords: "comment" };

// pdfString decodes a PDF literal or hex string (PDFDocEncoding read as
// Latin-1, or UTF-16BE with a byte order mark).
function pdfString(s) {
  let bytes;
  if (s[0] === "<") {
    const hex = s.slice(1, -1).replace(/\s/g, "");
    bytes = Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16));
  } else {
    const escapes = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f" };
    const body = s.slice(1, -1).replace(/\\([0-7]{1,3}|[\s\S])/g, (_, e) => (/[0-7]/.test(e[0]) ? String.fromCharCode(parseInt(e, 8) & 255) : escapes[e] || (e === "\n" ? "" : e)));
    bytes = Uint8Array.from(body, (c) => c.charCodeAt(0));
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  return latin1(bytes);
}

// The document properties of Office (docProps) and OpenDocument (meta.xml)
// files, by element name.
const OFFICE_PARTS = ["docProps/core.xml", "docProps/app.xml", "meta.xml"];
const OFFICE_FIELDS = {
  creator: "owner", lastModifiedBy: "owner", "initial-creator": "owner", Manager: "owner", Company: "company",
  Application: "software", generator: "software", title: "comment", description: "comment", subject: "comment",
};

// office reports the author, editor, company and software of a docx,
// xlsx, pptx or OpenDocument file.
async function office(src) {
  const found = new Found();
  const tail = await src.bytes(Math.max(0, src.size - 65558), 65558);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0 && eocd < 0; i--) if (u32le(tail, i) === 0x06054b50) eocd = i;
  if (eocd < 0) return { kind: "other", found: [] };
  const count = u16le(tail, eocd + 10);
  const cd = await src.bytes(u32le(tail, eocd + 16), u32le(tail, eocd + 12));
  let isOffice = false;
  for (let i = 0, at = 0; i < count && at + 46 <= cd.length; i++) {
    const method = u16le(cd, at + 10);
    const compressed = u32le(cd, at + 20);
    const nameLength = u16le(cd, at + 28);
    const name = utf8(cd.subarray(at + 46, at + 46 + nameLength));
    const local = u32le(cd, at + 42);
    at += 46 + nameLength + u16le(cd, at + 30) + u16le(cd, at + 32);
    if (name === "[Content_Types].xml" || name === "mimetype") isOffice = true;
    if (!OFFICE_PARTS.includes(name) || compressed > 4 << 20) continue;
    const h = await src.bytes(local, 30);
    const data = await src.bytes(local + 30 + u16le(h, 26) + u16le(h, 28), compressed);
    const xml = utf8(method === 8 ? await inflate(data, "deflate-raw") : data);
    const doc = new DOMParser().parseFromString(xml, "application/xml");
    for (const el of doc.getElementsByTagName("*")) {
      const key = OFFICE_FIELDS[el.localName];
      if (key && el.children.length === 0 && el.textContent.trim() !== "") found.add(key, el.textContent);
    }
  }
  return { kind: isOffice ? "document" : "other", found: isOffice ? found.list : [] };
}
