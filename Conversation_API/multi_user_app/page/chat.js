// The chat page's script: it talks only to this app's own API (see the package's __init__.py).
//
// How a reply streams to the browser: POST /chat/stream answers with server-sent events
// (text/event-stream), one `delta` event per piece of text as OpenAI writes it, then `done`
// or `error`. The browser's EventSource cannot send a POST (nor an Authorization header),
// so the page posts with fetch() and reads the response body with its stream reader,
// cutting the events apart at blank lines as the bytes arrive.
//
// Everything a user wrote, and a reply while it streams, is put on the page with textContent, never
// as HTML. A finished reply is shown as the HTML the server made of its Markdown (rendering.py:
// markdown-it with no raw HTML, cleaned by nh3 to a few tags), which the page's policy keeps from
// running anything. A message that fails goes back into the box, so that nothing typed is lost.
"use strict";

const state = { userId: "", apiKey: "", conversationId: null, sending: false };
const byId = (id) => document.getElementById(id);

// The server's messages are written for API clients ("send it without a conversation_id");
// these say the same for someone using the page.
const PAGE_MESSAGES = {
  unauthorized: "This server needs an access key: enter it next to your name and sign in again.",
  conversation_busy: "A reply in this conversation is still being written; wait for it, then send again.",
  conversation_expired: "This conversation expired after being idle. Start a new one with “New conversation”.",
  conversation_closed: "This conversation is closed. Start a new one with “New conversation”.",
  conversation_gone: "This conversation no longer exists on OpenAI's side. Start a new one.",
  forbidden: "That conversation belongs to someone else.",
  not_found: "That conversation does not exist here.",
};

class ChatError extends Error {
  constructor(type, message) {
    super(PAGE_MESSAGES[type] ?? message);
    this.type = type;
  }
}

function requestHeaders(withJson) {
  const headers = {};
  if (withJson) headers["Content-Type"] = "application/json";
  if (state.apiKey) headers.Authorization = `Bearer ${state.apiKey}`;
  return headers;
}

async function errorOf(response) {
  try {
    const { error } = await response.json();
    return new ChatError(error.type, error.message);
  } catch {
    return new ChatError("", `The server answered ${response.status}.`);
  }
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: requestHeaders(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

// The server-sent events of a response body, parsed as they arrive: {name, data}.
async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let end;
    while ((end = buffered.indexOf("\n\n")) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      let name = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice("event: ".length);
        else if (line.startsWith("data: ")) data += line.slice("data: ".length);
      }
      yield { name, data: JSON.parse(data) };
    }
  }
}

function showNotice(text) {
  const notice = byId("notice");
  notice.textContent = text;
  notice.hidden = !text;
}

function addMessage(role, text, html) {
  const item = document.createElement("li");
  item.className = role;
  if (html) showRendered(item, html);
  else item.textContent = text;
  byId("messages").append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

// A finished reply: the server's cleaned HTML of its Markdown.
function showRendered(item, html) {
  item.innerHTML = html;
  item.classList.add("rendered");
}

// Whether the reader is at the end of the conversation, so that a growing reply should keep it in view.
function atTheEnd() {
  const list = byId("messages");
  return list.scrollHeight - list.scrollTop - list.clientHeight < 48;
}

function followIf(following) {
  if (following) byId("messages").scrollTop = byId("messages").scrollHeight;
}

function setComposer(enabled) {
  byId("message").disabled = !enabled;
  byId("send").disabled = !enabled || state.sending;
}

async function loadConversations() {
  const query = new URLSearchParams({ user_id: state.userId, limit: "100" });
  const page = await api("GET", `conversations?${query}`);
  const list = byId("conversations");
  list.replaceChildren();
  for (const conversation of page.data) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.conversationId = conversation.conversation_id;
    button.setAttribute("aria-current", String(conversation.conversation_id === state.conversationId));
    const when = new Date(conversation.last_active_at).toLocaleString();
    const first = document.createElement("span");
    first.className = "first-message";
    first.textContent = conversation.first_message || "(no message yet)";
    button.append(first);
    const detail = document.createElement("small");
    detail.textContent = `${conversation.turns} turn${conversation.turns === 1 ? "" : "s"} · ${conversation.status} · ${when}`;
    button.append(detail);
    button.addEventListener("click", () => run(() => openConversation(conversation.conversation_id)));
    const item = document.createElement("li");
    item.append(button);
    list.append(item);
  }
  return page.data;
}

async function openConversation(conversationId) {
  state.conversationId = conversationId;
  localStorage.setItem("chat.conversationId", conversationId);
  byId("messages").replaceChildren();
  showNotice("");
  let after = null;
  for (;;) {
    const query = new URLSearchParams({ user_id: state.userId, limit: "100" });
    if (after) query.set("after", after);
    const page = await api("GET", `responses/${encodeURIComponent(conversationId)}?${query}`);
    for (const turn of page.data) {
      addMessage("user", turn.message);
      addMessage("assistant", turn.reply, turn.reply_html);
    }
    if (!page.has_more) break;
    after = page.last_id;
  }
  const conversations = await loadConversations();
  const status = conversations.find((conversation) => conversation.conversation_id === conversationId)?.status;
  showStatus(status);
}

function showStatus(status) {
  byId("conversation-title").textContent = state.conversationId
    ? `Conversation ${state.conversationId.slice(0, 14)}… (${status ?? "unknown"})`
    : "New conversation: your first message starts it.";
  byId("close-conversation").hidden = status !== "active";
  const usable = !state.conversationId || status === "active";
  setComposer(usable);
  if (!usable) showNotice(new ChatError(`conversation_${status}`, `This conversation is ${status}.`).message);
}

function startNewConversation() {
  state.conversationId = null;
  localStorage.removeItem("chat.conversationId");
  byId("messages").replaceChildren();
  showNotice("");
  showStatus(null);
  for (const button of byId("conversations").querySelectorAll("button")) button.setAttribute("aria-current", "false");
  byId("message").focus();
}

async function send(text) {
  state.sending = true;
  byId("composer").setAttribute("aria-busy", "true");
  setComposer(true);
  showNotice("");
  const sent = addMessage("user", text);
  const reply = addMessage("assistant", "");
  reply.classList.add("streaming");
  try {
    const body = { user_id: state.userId, message: text };
    if (state.conversationId) body.conversation_id = state.conversationId;
    const response = await fetch("chat/stream", { method: "POST", headers: requestHeaders(true), body: JSON.stringify(body) });
    if (!response.ok) throw await errorOf(response);
    let finished = false;
    for await (const event of serverSentEvents(response.body)) {
      if (event.name === "delta") {
        const following = atTheEnd();
        reply.textContent += event.data.text;
        followIf(following);
      } else if (event.name === "done") {
        finished = true;
        const following = atTheEnd();
        showRendered(reply, event.data.reply_html);
        followIf(following);
        state.conversationId = event.data.conversation_id;
        localStorage.setItem("chat.conversationId", state.conversationId);
      } else if (event.name === "error") {
        throw new ChatError(event.data.error.type, event.data.error.message);
      }
    }
    if (!finished) throw new ChatError("", "The connection broke off before the reply was complete; send it again.");
    await loadConversations();
    showStatus("active");
  } catch (error) {
    // Nothing was kept: take the message off the page and give it back, to send again.
    reply.remove();
    sent.remove();
    if (!byId("message").value) byId("message").value = text;
    throw error;
  } finally {
    reply.classList.remove("streaming");
    state.sending = false;
    byId("composer").setAttribute("aria-busy", "false");
    setComposer(!byId("message").disabled);
  }
}

// Run an action; show what went wrong as a sentence, never as raw JSON.
async function run(action) {
  try {
    await action();
  } catch (error) {
    showNotice(error instanceof ChatError ? error.message : `Could not reach the server: ${error.message}`);
  }
}

async function signIn(userId, apiKey) {
  state.userId = userId;
  state.apiKey = apiKey;
  localStorage.setItem("chat.userId", userId);
  sessionStorage.setItem("chat.apiKey", apiKey);
  byId("new-conversation").disabled = false;
  const conversationId = localStorage.getItem("chat.conversationId");
  const conversations = await loadConversations();
  if (conversationId && conversations.some((conversation) => conversation.conversation_id === conversationId)) {
    await openConversation(conversationId);
  } else {
    startNewConversation();
  }
}

byId("who").addEventListener("submit", (event) => {
  event.preventDefault();
  const userId = byId("user-id").value.trim();
  if (userId) run(() => signIn(userId, byId("api-key").value));
});

byId("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = byId("message").value;
  if (!text.trim() || state.sending) return;
  byId("message").value = "";
  run(() => send(text));
});

byId("message").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    byId("composer").requestSubmit();
  }
});

byId("new-conversation").addEventListener("click", startNewConversation);

byId("close-conversation").addEventListener("click", () =>
  run(async () => {
    await api("POST", `conversations/${encodeURIComponent(state.conversationId)}/close`, { user_id: state.userId });
    await openConversation(state.conversationId);
  }),
);

// The longest message the server takes, so that the box never holds more.
fetch("page/limits")
  .then((response) => response.json())
  .then((limits) => {
    byId("message").maxLength = limits.max_message_chars;
  })
  .catch(() => {});

// After a reload: the same user and conversation, the key for as long as the tab lives.
const savedUser = localStorage.getItem("chat.userId");
if (savedUser) {
  byId("user-id").value = savedUser;
  byId("api-key").value = sessionStorage.getItem("chat.apiKey") ?? "";
  run(() => signIn(savedUser, byId("api-key").value));
}
