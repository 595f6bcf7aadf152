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
  chat.updated = Date.now();
  state.chats = [chat, ...state.chats.filter((c) => c.id !== chat.id)];
  saveChats();
  renderChatList();
}

// ---- Rendering --------------------------------------------------------------

function renderChatList() {
  const list = $("chat-list");
  list.replaceChildren();
  for (const chat of state.chats) {
    const b = el("button", { type: "button", text: chat.title, title: chat.title });
    b.setAttribute("aria-current", state.current && chat.id === state.current.id ? "true" : "false");
    b.addEventListener("click", () => {
      state.current = chat;
      closeSidebar();
      render();
    });
    list.append(el("li", {}, b));
  }
}

function render() {
  const conv = $("conversation");
  conv.replaceChildren();
  const chat = state.current;
  if (!chat || chat.turns.length === 0) {
    conv.append(el("p", { class: "empty", id: "empty", text: "Ask a question about the documents. Answers quote their sources; click a [n] marker to read the passage in its document." }));
  } else {
    for (const turn of chat.turns) conv.append(renderTurn(turn));
  }
  renderChatList();
  conv.scrollTop = conv.scrollHeight;
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

// answerText puts the answer on the page as text, with each [n] marker a
// button that opens the cited passage. A short answer that leads the text
// (the name, place, date or number asked for) is shown bold.
function answerText(text, citations, short) {
  const p = el("p", { class: "answer-text" });
  const lead = short ? short + " — " : "";
  if (lead && text.startsWith(lead)) {
    p.append(el("strong", { class: "short-answer", text: short }), document.createTextNode(" — "));
    text = text.slice(lead.length);
  }
  const byN = new Map((citations || []).map((c) => [c.n, c]));
  let last = 0;
  for (const m of text.matchAll(/\[(\d+)\]/g)) {
    p.append(document.createTextNode(text.slice(last, m.index)));
    const c = byN.get(Number(m[1]));
    if (c) {
      const b = el("button", { type: "button", class: "cite", text: m[0], "aria-label": `Source ${c.n}: ${c.title}` });
      b.addEventListener("click", () => openSource(c));
      p.append(b);
    } else {
      p.append(document.createTextNode(m[0]));
    }
    last = m.index + m[0].length;
  }
  p.append(document.createTextNode(text.slice(last)));
  return p;
}

function fillAnswer(turn) {
  const node = turn.node;
  if (!node) return;
  node.replaceChildren();
  node.className = "answer";
  if (turn.error) {
    node.classList.add("failed");
    node.append(el("p", { class: "answer-text", text: turn.error }));
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
      const link = el("button", { type: "button", class: "cite", text: `[${c.n}]`, "aria-label": `Open source ${c.n}` });
      link.addEventListener("click", () => openSource(c));
      const quote = c.quote.length > 220 ? c.quote.slice(0, 219) + "…" : c.quote;
      list.append(el("li", {}, link, document.createTextNode(" " + c.title + " — "), el("span", { class: "quote", text: "“" + quote + "”" })));
    }
    node.append(list);
  } else if (!a.answered && a.passages && a.passages.length) {
    node.append(el("p", { class: "sources-label", text: "Closest passages" }));
    const list = el("ul", { class: "sources" });
    for (const p of a.passages.slice(0, 3)) {
      const b = el("button", { type: "button", class: "cite", text: "open", "aria-label": `Open passage from ${p.title}` });
      b.addEventListener("click", () => openSource({ doc_id: p.doc_id, title: p.title, start: p.start, end: p.end }));
      list.append(el("li", {}, document.createTextNode(p.title + " "), b));
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
  const up = el("button", { type: "button", text: "Helpful", "aria-label": "Good answer" });
  const down = el("button", { type: "button", text: "Not helpful", "aria-label": "Bad answer" });
  for (const [b, rating] of [[up, "up"], [down, "down"]]) {
    b.setAttribute("aria-pressed", turn.rating === rating ? "true" : "false");
    b.addEventListener("click", () => rate(turn, rating, up, down));
  }
  tools.append(copy, up, down);
  meta.append(tools);
  node.append(meta);
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

async function rate(turn, rating, up, down) {
  turn.rating = rating;
  up.setAttribute("aria-pressed", rating === "up" ? "true" : "false");
  down.setAttribute("aria-pressed", rating === "down" ? "true" : "false");
  storeChat(currentChat());
  try {
    const resp = await fetch("/v1/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: turn.question, answer: turn.answer.answer, rating }),
    });
    if (!resp.ok) throw new Error(await errorMessage(resp));
    setStatus("Thanks for the feedback.");
  } catch (e) {
    showError("Feedback was not recorded: " + e.message);
  }
}

// ---- The source panel ---------------------------------------------------------

async function openSource(c) {
  const panel = $("source-panel");
  panel.hidden = false;
  $("source-title").textContent = c.title || c.doc_id;
  $("source-doc").textContent = c.doc_id;
  const text = $("source-text");
  text.replaceChildren(el("p", { class: "small", text: "Loading…" }));
  try {
    const resp = await fetch("/v1/documents/" + c.doc_id.split("/").map(encodeURIComponent).join("/"));
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
  const turn = { question, partial: "" };
  const history = historyOf(chat);
  chat.turns.push(turn);
  if (chat.turns.length === 1) chat.title = question.length > 60 ? question.slice(0, 59) + "…" : question;
  const empty = $("empty");
  if (empty) empty.remove();
  $("conversation").append(renderTurn(turn));
  $("conversation").scrollTop = $("conversation").scrollHeight;
  setBusy(true);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
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
      e.name === "AbortError" ? "No answer within 90 seconds; try again." :
      e instanceof TypeError ? "Cannot reach the server; check that it is running." :
      e.message;
    delete turn.partial;
    fillAnswer(turn);
  } finally {
    clearTimeout(timer);
    setBusy(false);
    storeChat(chat);
  }
}

function setBusy(busy) {
  state.busy = busy;
  $("send").disabled = busy;
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
