// The chat page. Everything from the corpus or a model is untrusted: it is
// only ever put on the page as text (textContent, createTextNode), never
// as markup.
"use strict";

const STORE_KEY = "rag.chats.v1";
const HISTORY_TURNS = 10; // earlier messages sent with a follow-up
const TIMEOUT_MS = 90000;

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("aria-") || k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) if (c) node.append(c);
  return node;
};

// ---- Conversations, kept in localStorage ----------------------------------

function loadChats() {
  try {
    const chats = JSON.parse(localStorage.getItem(STORE_KEY) || "[]");
    return Array.isArray(chats) ? chats : [];
  } catch {
    return [];
  }
}

function saveChats() {
  try {
    const keep = (k, v) => (k === "node" || k === "partial" ? undefined : v);
    localStorage.setItem(STORE_KEY, JSON.stringify(state.chats.slice(0, 50), keep));
  } catch {
    showError("This browser would not save the conversation (storage full or disabled).");
  }
}

const state = { chats: loadChats(), current: null, busy: false };

function newChat() {
  const chat = { id: String(Date.now()) + Math.random().toString(16).slice(2, 6), title: "New chat", turns: [], updated: Date.now() };
  state.current = chat;
  render();
  $("question").focus();
}

function currentChat() {
  if (!state.current) newChat();
  return state.current;
}

function storeChat(chat) {
  if (chat.deleted) return;
  chat.updated = Date.now();
  state.chats = [chat, ...state.chats.filter((c) => c.id !== chat.id)];
  saveChats();
  renderChatList();
}

// ---- Rendering --------------------------------------------------------------

function renderChatList() {
  const list = $("chat-list");
  list.replaceChildren();
  const filter = $("chat-search").value.trim().toLowerCase();
  for (const chat of state.chats) {
    if (filter && !chat.title.toLowerCase().includes(filter) && !chat.turns.some((t) => t.question.toLowerCase().includes(filter))) continue;
    const b = el("button", { type: "button", class: "chat-open", text: chat.title, title: chat.title });
    b.setAttribute("aria-current", state.current && chat.id === state.current.id ? "true" : "false");
    b.addEventListener("click", () => {
      state.current = chat;
      closeSidebar();
      render();
    });
    const rename = el("button", { type: "button", class: "icon small-icon", text: "✎", "aria-label": "Rename " + chat.title });
    const item = el("li", {}, b);
    rename.addEventListener("click", () => {
      // Renamed in place: Enter keeps the name, Escape drops it.
      const input = el("input", { type: "text", class: "chat-rename", value: chat.title, maxLength: 120, "aria-label": "New name for " + chat.title });
      item.replaceChildren(input);
      input.focus();
      input.select();
      input.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" && input.value.trim()) {
          chat.title = input.value.trim();
          storeChat(chat);
        } else if (ev.key === "Escape") {
          ev.stopPropagation();
          renderChatList();
        }
      });
      input.addEventListener("blur", () => renderChatList());
    });
    const del = el("button", { type: "button", class: "icon small-icon", text: "✕", "aria-label": "Delete " + chat.title });
    del.addEventListener("click", () => {
      chat.deleted = true; // an answer still streaming into it must not store it again
      state.chats = state.chats.filter((c) => c.id !== chat.id);
      if (state.current && state.current.id === chat.id) state.current = null;
      saveChats();
      render();
      setStatus("Chat deleted.");
    });
    item.append(rename, del);
    list.append(item);
  }
}

function render() {
  const conv = $("conversation");
  conv.replaceChildren();
  const chat = state.current;
  if (!chat || chat.turns.length === 0) {
    conv.append(emptyState());
  } else {
    for (const turn of chat.turns) conv.append(renderTurn(turn));
  }
  renderChatList();
  conv.scrollTop = conv.scrollHeight;
}

// emptyState tells a newcomer what the corpus holds and offers questions
// made from it (GET /v1/corpus), each one click to ask.
function emptyState() {
  const box = el("section", { class: "empty", id: "empty", "aria-label": "Getting started" });
  box.append(el("p", { text: "Ask a question about the documents. Answers quote their sources; click a [n] marker to read the passage in its document." }));
  const info = el("div", { class: "corpus-info" });
  box.append(info);
  fetch("/v1/corpus").then((r) => (r.ok ? r.json() : null)).then((c) => {
    if (!c) return;
    const when = c.updated ? " · updated " + new Date(c.updated).toLocaleString() : "";
    info.append(el("p", { class: "corpus-count", text: `${c.documents} document${c.documents === 1 ? "" : "s"}${when}` }));
    if (c.titles.length) {
      const list = el("ul", { class: "corpus-titles" });
      for (const d of c.titles) list.append(el("li", { text: d.title }));
      info.append(list);
    }
    if (c.suggestions.length) {
      info.append(el("p", { class: "sources-label", text: "Try asking" }));
      const tries = el("div", { class: "suggestions" });
      for (const q of c.suggestions) {
        const b = el("button", { type: "button", class: "suggestion", text: q });
        b.addEventListener("click", () => {
          if (!state.busy) ask(q);
        });
        tries.append(b);
      }
      info.append(tries);
    }
  }).catch(() => {});
  return box;
}

function renderTurn(turn) {
  const box = el("article", { class: "turn" });
  box.append(el("div", { class: "question", text: turn.question }));
  const answer = el("div", { class: "answer" });
  box.append(answer);
  turn.node = answer;
  fillAnswer(turn);
  return box;
}

// answerText puts the answer on the page as text, with light Markdown
// (paragraphs, lists, **bold**, *emphasis*, `code`, http(s) links) built
// as elements — never parsed as HTML — and each [n] marker a button that
// opens the cited passage. A short answer that leads the text (the name,
// place, date or number asked for) is shown bold.
function answerText(text, citations, short) {
  const box = el("div", { class: "answer-text" });
  const byN = new Map((citations || []).map((c) => [c.n, c]));
  const lead = short ? short + " — " : "";
  let first = true;
  for (const block of text.split(/\n{2,}/)) {
    const lines = block.split("\n");
    const listed = lines.every((l) => /^\s*([-*•]|\d+[.)])\s+/.test(l));
    if (listed && lines.length > 0 && block.trim()) {
      const ordered = /^\s*\d/.test(lines[0]);
      const list = el(ordered ? "ol" : "ul");
      for (const l of lines) list.append(inline(el("li"), l.replace(/^\s*([-*•]|\d+[.)])\s+/, ""), byN));
      box.append(list);
      continue;
    }
    const p = el("p");
    let rest = block;
    if (first && lead && rest.startsWith(lead)) {
      p.append(el("strong", { class: "short-answer", text: short }), document.createTextNode(" — "));
      rest = rest.slice(lead.length);
    }
    first = false;
    box.append(inline(p, rest, byN));
  }
  return box;
}

// inline appends text to node with its inline Markdown and [n] markers.
function inline(node, text, byN) {
  const pattern = /\[(\d+)\]|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|`([^`]+)`|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    node.append(document.createTextNode(text.slice(last, m.index)));
    if (m[1] !== undefined) {
      const c = byN.get(Number(m[1]));
      node.append(c ? citeButton(c, m[0]) : document.createTextNode(m[0]));
    } else if (m[2] !== undefined) {
      node.append(el("strong", { text: m[2] }));
    } else if (m[3] !== undefined) {
      node.append(el("em", { text: m[3] }));
    } else if (m[4] !== undefined) {
      node.append(el("code", { text: m[4] }));
    } else {
      const a = el("a", { text: m[5], href: m[6], target: "_blank" });
      a.rel = "noopener noreferrer";
      node.append(a);
    }
    last = m.index + m[0].length;
  }
  node.append(document.createTextNode(text.slice(last)));
  return node;
}

// citeButton is a [n] marker: it opens the passage, and on hover or
// keyboard focus previews its quote and document.
function citeButton(c, label) {
  const b = el("button", { type: "button", class: "cite", text: label, "aria-label": `Source ${c.n}: ${c.title}` });
  b.addEventListener("click", () => openSource(c));
  const show = () => showPreview(b, c);
  b.addEventListener("mouseenter", show);
  b.addEventListener("focus", show);
  b.addEventListener("mouseleave", hidePreview);
  b.addEventListener("blur", hidePreview);
  return b;
}

function showPreview(anchor, c) {
  const tip = $("cite-preview");
  const quote = c.quote && c.quote.length > 280 ? c.quote.slice(0, 279) + "…" : c.quote || "";
  tip.replaceChildren(el("strong", { text: c.title || c.doc_id }), el("span", { text: "“" + quote + "”" }));
  tip.hidden = false;
  const r = anchor.getBoundingClientRect();
  tip.style.left = Math.max(8, Math.min(window.innerWidth - tip.offsetWidth - 8, r.left)) + "px";
  tip.style.top = (r.bottom + 6 + tip.offsetHeight > window.innerHeight ? r.top - tip.offsetHeight - 6 : r.bottom + 6) + "px";
  anchor.setAttribute("aria-describedby", "cite-preview");
}

function hidePreview() {
  $("cite-preview").hidden = true;
}

function fillAnswer(turn) {
  const node = turn.node;
  if (!node) return;
  node.replaceChildren();
  node.className = "answer";
  if (turn.error) {
    node.classList.add("failed");
    node.append(el("p", { class: "answer-text", text: turn.error }));
    const chat = state.current;
    if (chat && chat.turns[chat.turns.length - 1] === turn) {
      const again = el("button", { type: "button", class: "retry", text: "Try again" });
      again.addEventListener("click", () => regenerate(turn));
      node.append(again);
    }
    return;
  }
  const a = turn.answer;
  if (!a) {
    const p = el("p", { class: "answer-text typing", text: turn.partial || "" });
    p.setAttribute("aria-busy", "true");
    node.append(p);
    return;
  }
  if (!a.answered) {
    node.classList.add("not-found");
    node.append(el("p", { class: "not-found-label", text: "Not found in the corpus" }));
  }
  node.append(answerText(a.answer, a.citations, a.short_answer));
  if (a.citations && a.citations.length) {
    node.append(el("p", { class: "sources-label", text: "Sources" }));
    const list = el("ol", { class: "sources" });
    for (const c of a.citations) {
      const link = citeButton(c, `[${c.n}]`);
      const quote = c.quote.length > 220 ? c.quote.slice(0, 219) + "…" : c.quote;
      list.append(el("li", {}, link, document.createTextNode(" " + c.title + " — "), el("span", { class: "quote", text: "“" + quote + "”" })));
    }
    node.append(list);
  } else if (!a.answered && a.passages && a.passages.length) {
    // The passages the not-found note speaks of, grouped by document.
    node.append(el("p", { class: "sources-label", text: "Closest passages" }));
    const list = el("ul", { class: "sources closest" });
    const byDoc = new Map();
    for (const p of a.passages) {
      if (!byDoc.has(p.doc_id)) byDoc.set(p.doc_id, []);
      byDoc.get(p.doc_id).push(p);
    }
    for (const [, ps] of [...byDoc].slice(0, 3)) {
      const item = el("li", {}, el("strong", { text: ps[0].title }));
      for (const p of ps.slice(0, 2)) {
        const snippet = p.text.replace(/\s+/g, " ").trim();
        const b = el("button", { type: "button", class: "snippet", text: "“" + (snippet.length > 160 ? snippet.slice(0, 159) + "…" : snippet) + "”" });
        b.addEventListener("click", () => openSource({ doc_id: p.doc_id, title: p.title, start: p.start, end: p.end }));
        item.append(b);
      }
      list.append(item);
    }
    node.append(list);
  }
  const meta = el("div", { class: "meta" });
  let by = "answered by " + a.answerer;
  if (a.fallback) by += " · fallback: " + a.fallback;
  if (a.answered && a.grounded === false) by += " · not grounded in any passage";
  meta.append(el("span", { class: "small answerer", text: by }));
  const tools = el("div", { class: "tools" });
  const copy = el("button", { type: "button", text: "Copy", "aria-label": "Copy answer" });
  copy.addEventListener("click", () => copyAnswer(a, copy));
  const up = el("button", { type: "button", text: "Helpful", "aria-label": "Helpful answer" });
  const down = el("button", { type: "button", text: "Not helpful", "aria-label": "Not helpful answer" });
  for (const [b, rating] of [[up, "up"], [down, "down"]]) {
    b.setAttribute("aria-pressed", turn.rating === rating ? "true" : "false");
    b.addEventListener("click", () => rate(turn, rating));
  }
  tools.append(copy, up, down);
  const chat = state.current;
  if (chat && chat.turns[chat.turns.length - 1] === turn) {
    const again = el("button", { type: "button", text: "Regenerate", "aria-label": "Regenerate the answer" });
    again.addEventListener("click", () => regenerate(turn));
    const edit = el("button", { type: "button", text: "Edit", "aria-label": "Edit and resend the question" });
    edit.addEventListener("click", () => editLast(turn));
    tools.append(again, edit);
  }
  meta.append(tools);
  node.append(meta);
  if (turn.feedbackOpen) node.append(feedbackForm(turn));
}

// feedbackForm asks what was wrong with an answer rated 👎: the reason,
// the answer expected, or that the corpus cannot answer the question.
function feedbackForm(turn) {
  const form = el("form", { class: "feedback-form", "aria-label": "What was wrong" });
  const legend = el("legend", { text: "What was wrong?" });
  const set = el("fieldset", {}, legend);
  for (const [value, label] of [["wrong", "Wrong"], ["incomplete", "Incomplete"], ["missed", "Missed: the documents have it"], ["other", "Other"]]) {
    const id = "reason-" + value + "-" + turn.id;
    const input = el("input", { type: "radio", name: "reason", value, id });
    if (value === "wrong") input.checked = true;
    set.append(el("span", { class: "choice" }, input, el("label", { htmlFor: id, text: label })));
  }
  const expectedID = "expected-" + turn.id;
  const expected = el("textarea", { id: expectedID, rows: 2, maxLength: 4000, placeholder: "The answer you expected (optional)" });
  const noneID = "none-" + turn.id;
  const none = el("input", { type: "checkbox", id: noneID });
  const send = el("button", { type: "submit", class: "primary", text: "Send feedback" });
  const cancel = el("button", { type: "button", text: "Cancel" });
  cancel.addEventListener("click", () => {
    turn.feedbackOpen = false;
    fillAnswer(turn);
  });
  form.append(set, el("label", { htmlFor: expectedID, text: "Expected answer" }), expected,
    el("span", { class: "choice" }, none, el("label", { htmlFor: noneID, text: "The documents cannot answer this" })), el("div", { class: "form-buttons" }, send, cancel));
  // "Cannot answer" excludes an expected answer and "missed".
  none.addEventListener("change", () => {
    expected.disabled = none.checked;
    const missed = form.querySelector("input[value=missed]");
    missed.disabled = none.checked;
    if (none.checked && missed.checked) form.querySelector("input[value=wrong]").checked = true;
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const reason = form.querySelector("input[name=reason]:checked").value;
    sendFeedback(turn, "down", { reason, expected: none.checked ? "" : expected.value.trim(), unanswerable: none.checked });
  });
  return form;
}

async function copyAnswer(a, button) {
  let text = a.answer;
  for (const c of a.citations || []) text += `\n[${c.n}] ${c.title}: “${c.quote}”`;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Copy failed";
  }
  setTimeout(() => (button.textContent = "Copy"), 1500);
}

function rate(turn, rating) {
  if (rating === "down") {
    // A 👎 asks what was wrong before it is sent.
    turn.feedbackOpen = true;
    fillAnswer(turn);
    const first = turn.node.querySelector(".feedback-form input");
    if (first) first.focus();
    return;
  }
  sendFeedback(turn, "up", {});
}

// sendFeedback records a vote; the answer shows it (and the form closes)
// only once the server has it, so nothing typed is lost to an error.
async function sendFeedback(turn, rating, detail) {
  if (turn.rating === rating && rating === "up") return; // one vote, not one per click
  const docIDs = [...new Set((turn.answer.passages || []).map((p) => p.doc_id))];
  try {
    const resp = await fetch("/v1/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: turn.question, answer: turn.answer.answer, rating, doc_ids: docIDs, ...detail }),
    });
    if (!resp.ok) throw new Error(await errorMessage(resp));
    turn.rating = rating;
    turn.feedbackOpen = false;
    fillAnswer(turn);
    storeChat(currentChat());
    setStatus("Thanks for the feedback.");
  } catch (e) {
    showError("Feedback was not recorded: " + e.message);
  }
}

// ---- The source panel ---------------------------------------------------------

// docPath escapes a document id for the documents route, dots too: a
// "." or ".." part (which no real id has) must not walk to another route.
function docPath(id) {
  return id.split("/").map((p) => encodeURIComponent(p).replace(/\./g, "%2E")).join("/");
}

async function openSource(c) {
  const panel = $("source-panel");
  panel.hidden = false;
  $("source-title").textContent = c.title || c.doc_id;
  $("source-doc").textContent = c.doc_id;
  const text = $("source-text");
  text.replaceChildren(el("p", { class: "small", text: "Loading…" }));
  try {
    const resp = await fetch("/v1/documents/" + docPath(c.doc_id));
    if (!resp.ok) throw new Error(await errorMessage(resp));
    const doc = await resp.json();
    // Offsets are bytes of UTF-8; slice the encoded text so that
    // non-ASCII characters before the passage do not shift it.
    const bytes = new TextEncoder().encode(doc.text);
    const dec = new TextDecoder();
    const mark = el("mark", { text: dec.decode(bytes.slice(c.start, c.end)) });
    text.replaceChildren(document.createTextNode(dec.decode(bytes.slice(0, c.start))), mark, document.createTextNode(dec.decode(bytes.slice(c.end))));
    $("source-title").textContent = doc.title;
    mark.scrollIntoView({ block: "center" });
    $("close-source").focus();
  } catch (e) {
    text.replaceChildren(el("p", { class: "small", text: "Could not load the document: " + e.message }));
  }
}

// ---- Asking ---------------------------------------------------------------------

async function errorMessage(resp) {
  try {
    const body = await resp.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch {}
  if (resp.status === 429) return "Too many requests; wait a moment and try again.";
  if (resp.status === 503) return "The server is busy or still loading; try again shortly.";
  return `The server answered ${resp.status}.`;
}

function historyOf(chat) {
  const turns = [];
  for (const t of chat.turns) {
    if (!t.answer) continue;
    turns.push({ role: "user", content: t.question }, { role: "assistant", content: t.answer.answer });
  }
  return turns.slice(-HISTORY_TURNS);
}

// readEvents parses a server-sent event stream from a fetch response.
async function readEvents(resp, onEvent) {
  const reader = resp.body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(event, JSON.parse(data.join("\n")));
    }
  }
}

async function ask(question) {
  const chat = currentChat();
  const turn = { id: Date.now().toString(36) + Math.random().toString(36).slice(2, 6), question, partial: "" };
  const history = historyOf(chat);
  chat.turns.push(turn);
  if (chat.turns.length === 1) chat.title = question.length > 60 ? question.slice(0, 59) + "…" : question;
  const empty = $("empty");
  if (empty) empty.remove();
  $("conversation").append(renderTurn(turn));
  $("conversation").scrollTop = $("conversation").scrollHeight;
  const abort = new AbortController();
  state.abort = abort;
  setBusy(true);
  const timer = setTimeout(() => abort.abort("timeout"), TIMEOUT_MS);
  try {
    const resp = await fetch("/v1/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ question, history, stream: true }),
      signal: abort.signal,
    });
    if (!resp.ok) throw new Error(await errorMessage(resp));
    await readEvents(resp, (event, data) => {
      if (event === "delta") {
        turn.partial += data.text;
        fillAnswer(turn);
      } else if (event === "done") {
        turn.answer = data;
        delete turn.partial;
        fillAnswer(turn);
      } else if (event === "error") {
        throw new Error(data.error ? data.error.message : "the server failed to answer");
      }
    });
    if (!turn.answer) throw new Error("the answer was cut off; try again");
  } catch (e) {
    turn.error =
      abort.signal.reason === "stopped" ? "Stopped." :
      e.name === "AbortError" || abort.signal.aborted ? "No answer within 90 seconds; try again." :
      e instanceof TypeError ? "Cannot reach the server; check that it is running." :
      e.message;
    delete turn.partial;
    fillAnswer(turn);
  } finally {
    clearTimeout(timer);
    state.abort = null;
    setBusy(false);
    storeChat(chat);
    render();
  }
}

// regenerate asks the last question again, in place of its answer.
function regenerate(turn) {
  const chat = currentChat();
  if (state.busy || chat.turns[chat.turns.length - 1] !== turn) return;
  chat.turns.pop();
  render();
  ask(turn.question);
}

// editLast takes the last question back into the input box to be changed
// and sent again.
function editLast(turn) {
  const chat = currentChat();
  if (state.busy || chat.turns[chat.turns.length - 1] !== turn) return;
  chat.turns.pop();
  storeChat(chat);
  render();
  const input = $("question");
  input.value = turn.question;
  input.focus();
}

// setBusy turns Send into Stop while an answer streams.
function setBusy(busy) {
  state.busy = busy;
  const send = $("send");
  send.textContent = busy ? "Stop" : "Send";
  send.classList.toggle("stop", busy);
  send.type = busy ? "button" : "submit";
  setStatus(busy ? "Answering…" : "");
}

function setStatus(text) {
  $("status").textContent = text;
}

function showError(text) {
  const box = $("error");
  box.textContent = text;
  box.hidden = false;
  setTimeout(() => (box.hidden = true), 8000);
}

function closeSidebar() {
  $("sidebar").classList.remove("open");
  $("toggle-sidebar").setAttribute("aria-expanded", "false");
}


// ---- The document library and the feedback view ------------------------------

function adminToken() {
  try {
    return sessionStorage.getItem("rag.admin") || "";
  } catch {
    return "";
  }
}

function adminHeaders() {
  const t = adminToken();
  return t ? { Authorization: "Bearer " + t } : {};
}

// showView switches between the chat, the library and the feedback view.
function showView(name) {
  for (const [id, tab] of [["conversation", "open-chat"], ["library", "open-library"], ["feedback-view", "open-feedback"]]) {
    const on = (name === "chat" && id === "conversation") || (name === "library" && id === "library") || (name === "feedback" && id === "feedback-view");
    $(id).hidden = !on;
    $(tab).setAttribute("aria-pressed", String(on));
  }
  $("ask-form").hidden = name !== "chat";
  if (name === "library") loadLibrary();
  if (name === "feedback") loadFeedback();
}

async function loadLibrary() {
  const list = $("doc-list");
  try {
    const resp = await fetch("/v1/documents");
    if (!resp.ok) throw new Error(await errorMessage(resp));
    state.docs = (await resp.json()).documents;
    renderLibrary();
  } catch (e) {
    list.replaceChildren(el("li", { class: "small", text: "Could not list the documents: " + e.message }));
  }
}

function renderLibrary() {
  const list = $("doc-list");
  const filter = $("doc-filter").value.trim().toLowerCase();
  list.replaceChildren();
  const docs = (state.docs || []).filter((d) => !filter || d.title.toLowerCase().includes(filter) || d.id.toLowerCase().includes(filter));
  for (const d of docs) {
    const open = el("button", { type: "button", class: "doc-open", text: d.title });
    open.addEventListener("click", () => openDocument(d.id));
    const meta = el("span", { class: "small", text: `${d.id} · ${d.chunks} passages · ${d.origin === "upload" ? "uploaded" : "corpus file"}` });
    const item = el("li", {}, open, meta);
    if (d.origin === "upload") {
      const del = el("button", { type: "button", class: "doc-delete", text: "Delete", "aria-label": "Delete " + d.title });
      del.addEventListener("click", () => deleteDocument(d));
      item.append(del);
    }
    list.append(item);
  }
  if (!docs.length) list.append(el("li", { class: "small", text: filter ? "No document matches." : "No documents yet." }));
}

// openDocument shows a whole document in the side panel, passage by passage.
async function openDocument(id) {
  const panel = $("source-panel");
  panel.hidden = false;
  const text = $("source-text");
  text.replaceChildren(el("p", { class: "small", text: "Loading…" }));
  try {
    const resp = await fetch("/v1/documents/" + docPath(id));
    if (!resp.ok) throw new Error(await errorMessage(resp));
    const doc = await resp.json();
    $("source-title").textContent = doc.title;
    $("source-doc").textContent = `${doc.id} · ${doc.chunks.length} passages`;
    const bytes = new TextEncoder().encode(doc.text);
    const dec = new TextDecoder();
    text.replaceChildren(...doc.chunks.map((c, i) => el("section", { class: "passage" }, el("h3", { text: `Passage ${i + 1}` }), el("p", { text: dec.decode(bytes.slice(c.start, c.end)) }))));
    $("close-source").focus();
  } catch (e) {
    text.replaceChildren(el("p", { class: "small", text: "Could not load the document: " + e.message }));
  }
}

// upload sends files one after another, with progress, to POST /v1/documents.
function upload(files) {
  const status = $("upload-status");
  const bar = $("upload-progress");
  if (!adminToken()) {
    status.textContent = "Enter the admin token first: adding documents needs it.";
    $("admin-token").focus();
    return;
  }
  const queue = [...files];
  const next = () => {
    const file = queue.shift();
    if (!file) {
      bar.hidden = true;
      loadLibrary();
      return;
    }
    const form = new FormData();
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/documents");
    xhr.setRequestHeader("Authorization", "Bearer " + adminToken());
    bar.hidden = false;
    bar.value = 0;
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable) bar.value = Math.round((100 * ev.loaded) / ev.total);
    };
    xhr.onload = () => {
      let msg;
      try {
        const body = JSON.parse(xhr.responseText);
        msg = xhr.status === 201 ? `Added ${body.id} (${body.chunks} passages).` : `${file.name}: ${body.error ? body.error.message : "the server answered " + xhr.status}`;
      } catch {
        msg = `${file.name}: the server answered ${xhr.status}`;
      }
      status.textContent = msg;
      next();
    };
    xhr.onerror = () => {
      status.textContent = `${file.name}: cannot reach the server.`;
      bar.hidden = true;
    };
    status.textContent = `Sending ${file.name}…`;
    xhr.send(form);
  };
  next();
}

async function deleteDocument(d) {
  const status = $("upload-status");
  try {
    const resp = await fetch("/v1/documents/" + docPath(d.id), { method: "DELETE", headers: adminHeaders() });
    if (!resp.ok) throw new Error(await errorMessage(resp));
    status.textContent = `Deleted ${d.id}.`;
    loadLibrary();
  } catch (e) {
    status.textContent = `${d.id} was not deleted: ${e.message}`;
  }
}

async function loadFeedback() {
  const list = $("feedback-list");
  const status = $("feedback-status");
  list.replaceChildren();
  if (!adminToken()) {
    status.textContent = "Enter the admin token (under Documents) to read the feedback.";
    return;
  }
  try {
    const resp = await fetch("/v1/feedback?rating=down&limit=200", { headers: adminHeaders() });
    if (!resp.ok) throw new Error(await errorMessage(resp));
    const body = await resp.json();
    status.textContent = `${body.total} answer${body.total === 1 ? "" : "s"} rated not helpful.`;
    for (const f of body.feedback) {
      const what = f.unanswerable ? "the documents cannot answer this" : f.expected ? "expected: " + f.expected : "no answer given";
      list.append(el("li", {},
        el("p", { class: "fb-question", text: f.question }),
        el("p", { class: "small", text: `${f.reason || "no reason"} · ${what} · ${f.source} · ${new Date(f.time).toLocaleString()}` })));
    }
  } catch (e) {
    status.textContent = "Could not read the feedback: " + e.message;
  }
}

async function downloadCandidates() {
  const status = $("feedback-status");
  try {
    const resp = await fetch("/v1/feedback/candidates", { headers: adminHeaders() });
    if (!resp.ok) throw new Error(await errorMessage(resp));
    const url = URL.createObjectURL(await resp.blob());
    const a = el("a", { href: url, download: "eval-candidates.yaml" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (e) {
    status.textContent = "Could not download the candidates: " + e.message;
  }
}

// ---- Wiring ---------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  const form = $("ask-form");
  const input = $("question");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = input.value.trim();
    if (!q || state.busy) return;
    input.value = "";
    $("error").hidden = true;
    ask(q);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  $("send").addEventListener("click", (ev) => {
    if (state.busy && state.abort) {
      ev.preventDefault();
      state.abort.abort("stopped");
    }
  });
  $("chat-search").addEventListener("input", renderChatList);
  $("open-chat").addEventListener("click", () => showView("chat"));
  $("open-library").addEventListener("click", () => showView("library"));
  $("open-feedback").addEventListener("click", () => showView("feedback"));
  $("doc-filter").addEventListener("input", renderLibrary);
  $("admin-token").value = adminToken();
  $("admin-token").addEventListener("input", () => {
    try {
      sessionStorage.setItem("rag.admin", $("admin-token").value.trim());
    } catch {}
  });
  $("upload-file").addEventListener("change", (ev) => {
    upload(ev.target.files);
    ev.target.value = ""; // the same file may be chosen again
  });
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (ev) => {
    ev.preventDefault();
    zone.classList.remove("over");
    upload(ev.dataTransfer.files);
  });
  $("download-candidates").addEventListener("click", downloadCandidates);
  $("theme").addEventListener("click", () => {
    const dark = document.documentElement.dataset.theme !== "dark" && !(document.documentElement.dataset.theme !== "light" && matchMedia("(prefers-color-scheme: dark)").matches);
    setTheme(dark ? "dark" : "light");
  });
  $("new-chat").addEventListener("click", () => {
    closeSidebar();
    newChat();
  });
  $("close-source").addEventListener("click", () => ($("source-panel").hidden = true));
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") $("source-panel").hidden = true;
  });
  $("toggle-sidebar").addEventListener("click", () => {
    const open = $("sidebar").classList.toggle("open");
    $("toggle-sidebar").setAttribute("aria-expanded", String(open));
  });
  state.current = state.chats[0] || null;
  render();
  input.focus();
  openFromLocation();
  window.addEventListener("hashchange", openFromLocation);
});

// setTheme remembers the reader's choice of dark or light; without one,
// the page follows prefers-color-scheme.
function setTheme(theme) {
  document.documentElement.dataset.theme = theme;
  $("theme").setAttribute("aria-pressed", theme === "dark" ? "true" : "false");
  try {
    localStorage.setItem("rag.theme", theme);
  } catch {}
}

(function restoreTheme() {
  try {
    const t = localStorage.getItem("rag.theme");
    if (t === "dark" || t === "light") document.documentElement.dataset.theme = t;
  } catch {}
})();

// openFromLocation opens the passage a link names, such as Slack's source
// links: #doc=ID&start=N&end=M.
function openFromLocation() {
  const p = new URLSearchParams(location.hash.slice(1));
  const doc = p.get("doc");
  const start = Number(p.get("start"));
  const end = Number(p.get("end"));
  if (doc && Number.isInteger(start) && Number.isInteger(end) && end > start) {
    openSource({ doc_id: doc, title: doc, start, end });
  }
}
