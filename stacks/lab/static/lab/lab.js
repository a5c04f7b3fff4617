// The lab page: two blog clients side by side, what each action cost, faults and the event store.
"use strict";

(() => {
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const MESSAGES = {
    pending: document.body.dataset.msgPending,
    rejected: document.body.dataset.msgRejected,
  };
  const POLL_MS = 500; // live comment status and action cost
  const EVENTS_MS = 2000; // event store timeline
  const TRACK_FOR_MS = 180000; // give up following an action after three minutes
  const ACTION_LABELS = { post: "Create post", comment: "Add comment", list: "Read post list" };

  const columns = {};
  document.querySelectorAll(".column").forEach((root) => {
    columns[root.dataset.stack] = { root, posts: new Map(), current: null };
  });

  // -- the lab's JSON API -----------------------------------------------------------------
  async function api(method, path, body) {
    const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET") {
      options.headers["X-CSRFToken"] = CSRF;
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body === undefined ? {} : body);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (error) {
      return { ok: false, status: 0, data: { message: "The lab server did not answer." } };
    }
    let data;
    try {
      data = await response.json();
    } catch (error) {
      data = { message: `The lab answered ${response.status}.` };
    }
    return { ok: response.ok, status: response.status, data };
  }

  // -- small DOM helpers -------------------------------------------------------------------
  function element(tag, attributes = {}, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showFieldError(input, message) {
    const target = document.getElementById(input.getAttribute("aria-describedby").split(" ").pop());
    target.textContent = message || "";
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function errorMessages(body) {
    // The one error shape of every service: {code, message, fields: {name: [messages]}}.
    if (!body || typeof body !== "object") return [String(body)];
    const fields = body.fields || {};
    const names = Object.keys(fields);
    if (!names.length) return [body.message || JSON.stringify(body)];
    return names.map((name) => `${name}: ${fields[name].join(" ")}`);
  }

  function fieldMessage(body, field) {
    if (body && body.fields && body.fields[field]) return body.fields[field].join(" ");
    return errorMessages(body).join(" ");
  }

  function formatMs(ms) {
    if (ms === null || ms === undefined) return "–";
    return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
  }

  async function busy(button, work) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      return await work();
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  // -- what an action cost ----------------------------------------------------------------
  function writeCost(column, cost, action) {
    const values = {
      requests: String(cost.requests),
      internal_calls: String(cost.internal_calls),
      messages: cost.settled
        ? String(cost.messages)
        : `${cost.messages} (${cost.messages - cost.consumed} not consumed yet)`,
      sql: String(cost.sql),
      ms: formatMs(cost.ms),
      visible_ms: visibleText(cost, action),
    };
    column.root.querySelectorAll(".cost [data-cost]").forEach((cell) => {
      cell.textContent = values[cell.dataset.cost];
    });
  }

  function visibleText(cost, action) {
    if (cost.visible_ms !== null && cost.visible_ms !== undefined) return formatMs(cost.visible_ms);
    if (action.kind === "list" || action.status >= 300) return "–";
    return "waiting…";
  }

  function showAction(kind, action) {
    const column = columns[kind];
    column.current = action.request_id;
    const strategy = action.strategy && kind === "micro" ? ` via ${action.strategy}` : "";
    const line = column.root.querySelector('[data-role="action"]');
    line.textContent = `${ACTION_LABELS[action.kind]}${strategy}: answered ${action.status}`;
    line.dataset.status = String(action.status);
    writeCost(column, action.cost, action);
    if (action.kind === "list" && kind === "micro") writeStrategyRow(action);
    if (needsTracking(kind, action)) track(kind, action);
  }

  function writeStrategyRow(action) {
    const row = columns.micro.root.querySelector(`tr[data-strategy="${action.strategy}"]`);
    if (!row) return;
    row.querySelector('[data-cost="requests"]').textContent = String(action.cost.requests);
    row.querySelector('[data-cost="internal_calls"]').textContent = String(action.cost.internal_calls);
    row.querySelector('[data-cost="ms"]').textContent =
      action.status === 200 ? formatMs(action.cost.ms) : `${action.status}`;
  }

  function needsTracking(kind, action) {
    const waitingForReadModel =
      kind === "micro" && action.kind !== "list" && action.status < 300 && action.cost.visible_ms === null;
    return !action.cost.settled || waitingForReadModel;
  }

  function track(kind, action) {
    // Follow the action's fan-out until every message is consumed and the read model shows it.
    const started = Date.now();
    const step = async () => {
      const column = columns[kind];
      if (column.current !== action.request_id || Date.now() - started > TRACK_FOR_MS) return;
      const answer = await api("GET", `/api/actions/${encodeURIComponent(action.request_id)}/`);
      if (answer.ok && column.current === action.request_id) {
        action.cost = answer.data.cost;
        writeCost(column, action.cost, action);
        if (!needsTracking(kind, action)) return;
      }
      setTimeout(step, POLL_MS);
    };
    setTimeout(step, POLL_MS);
  }

  // -- posts and comments -----------------------------------------------------------------
  function commentItem(comment) {
    const item = element("li", {
      class: `comment ${comment.status}`,
      "data-comment-id": String(comment.id),
      "data-status": comment.status,
    });
    const text = comment.status === "approved" ? comment.content : MESSAGES[comment.status];
    item.append(element("span", { class: "comment-text" }, text || comment.content));
    if (comment.status !== "approved") {
      item.append(element("span", { class: "comment-content" }, `“${comment.content}”`));
    }
    return item;
  }

  function renderComments(kind, post) {
    const entry = columns[kind].posts.get(post.id);
    const list = entry.node.querySelector(".comments");
    list.replaceChildren(...post.comments.map(commentItem));
    list.hidden = post.comments.length === 0;
  }

  function postNode(kind, post) {
    const prefix = `${kind}-post-${post.id}`;
    const item = element("li", { class: "post", "data-post-id": String(post.id) });
    const article = element("article", { "aria-labelledby": `${prefix}-title` });
    const heading = element("h4", { id: `${prefix}-title` });
    heading.append(element("span", { class: "post-title" }, String(post.title)));
    heading.append(element("small", { class: "post-id" }, ` #${post.id}`));
    const form = element("form", { class: "comment-form", novalidate: "" });
    form.append(element("label", { for: `${prefix}-comment` }, "Add a comment"));
    const row = element("div", { class: "field-row" });
    row.append(
      element("input", {
        id: `${prefix}-comment`,
        name: "content",
        type: "text",
        autocomplete: "off",
        "aria-describedby": `${prefix}-comment-error`,
      }),
      element("button", { type: "submit" }, "Add comment"),
    );
    form.append(row, element("p", { class: "field-error", id: `${prefix}-comment-error`, "aria-live": "polite" }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      addComment(kind, post.id, form);
    });
    article.append(heading, element("ul", { class: "comments" }), form);
    item.append(article);
    return item;
  }

  function upsertPost(kind, post) {
    const column = columns[kind];
    let entry = column.posts.get(post.id);
    if (!entry) {
      entry = { post, node: postNode(kind, post) };
      column.posts.set(post.id, entry);
    }
    entry.post = { ...entry.post, ...post, comments: post.comments || entry.post.comments || [] };
    renderComments(kind, entry.post);
    return entry;
  }

  function showPosts(kind, posts) {
    // The list as read, newest first; post elements are kept so typed comments survive.
    const column = columns[kind];
    const list = column.root.querySelector('[data-role="posts"]');
    const seen = new Set();
    const nodes = posts.map((post) => {
      seen.add(post.id);
      return upsertPost(kind, post).node;
    });
    for (const [id, entry] of column.posts) if (!seen.has(id)) entry.node.remove();
    for (const id of [...column.posts.keys()]) if (!seen.has(id)) column.posts.delete(id);
    list.replaceChildren(...nodes);
    column.root.querySelector('[data-role="empty"]').hidden = posts.length > 0;
  }

  function prependPost(kind, post) {
    const column = columns[kind];
    const entry = upsertPost(kind, { ...post, comments: post.comments || [] });
    column.root.querySelector('[data-role="posts"]').prepend(entry.node);
    column.root.querySelector('[data-role="empty"]').hidden = true;
  }

  // -- the actions -------------------------------------------------------------------------
  async function createPost(kind, form) {
    const input = form.elements.title;
    const button = form.querySelector('button[type="submit"]');
    showFieldError(input, "");
    const title = input.value;
    const answer = await busy(button, () => api("POST", `/api/${kind}/posts/`, { title }));
    if (!answer.ok) return showFieldError(input, errorMessages(answer.data).join(" "));
    const action = { ...answer.data, kind: "post" };
    showAction(kind, action);
    if (action.status === 201) {
      if (input.value === title) input.value = ""; // keep what was typed meanwhile
      prependPost(kind, action.body);
    } else {
      showFieldError(input, `${action.status}: ${fieldMessage(action.body, "title")}`);
      input.focus();
    }
    refreshEventsSoon();
  }

  async function addComment(kind, postId, form) {
    const input = form.elements.content;
    const button = form.querySelector('button[type="submit"]');
    showFieldError(input, "");
    const path = `/api/${kind}/posts/${postId}/comments/`;
    const content = input.value;
    const answer = await busy(button, () => api("POST", path, { content }));
    if (!answer.ok) return showFieldError(input, errorMessages(answer.data).join(" "));
    const action = { ...answer.data, kind: "comment" };
    showAction(kind, action);
    if (action.status === 201) {
      if (input.value === content) input.value = ""; // keep what was typed meanwhile
      const entry = columns[kind].posts.get(postId);
      entry.post.comments = [...entry.post.comments.filter((c) => c.id !== action.body.id), action.body];
      renderComments(kind, entry.post);
    } else {
      showFieldError(input, `${action.status}: ${fieldMessage(action.body, "content")}`);
      input.focus();
    }
    refreshEventsSoon();
  }

  function chosenStrategy(kind) {
    const checked = columns[kind].root.querySelector('input[name="micro-strategy"]:checked');
    return checked ? checked.value : "query";
  }

  async function readList(kind, button) {
    const strategy = chosenStrategy(kind);
    const query = kind === "micro" ? `?strategy=${encodeURIComponent(strategy)}` : "";
    const answer = await busy(button, () => api("GET", `/api/${kind}/posts/${query}`));
    const line = columns[kind].root.querySelector('[data-role="action"]');
    if (!answer.ok) {
      line.textContent = errorMessages(answer.data).join(" ");
      return;
    }
    const action = { ...answer.data, kind: "list" };
    showAction(kind, action);
    if (action.status === 200) showPosts(kind, action.body);
    else line.textContent += ` — ${errorMessages(action.body).join(" ")}`;
  }

  // -- live status: pending comments in micro's read model ---------------------------------
  async function pollPending() {
    for (const [kind, column] of Object.entries(columns)) {
      for (const entry of column.posts.values()) {
        if (!entry.post.comments.some((comment) => comment.status === "pending")) continue;
        const answer = await api("GET", `/api/${kind}/posts/${entry.post.id}/`);
        if (!answer.ok || answer.data.status !== 200) continue;
        const known = new Map(answer.data.body.comments.map((comment) => [comment.id, comment]));
        const merged = entry.post.comments.map((comment) => known.get(comment.id) || comment);
        for (const comment of answer.data.body.comments) {
          if (!merged.some((seen) => seen.id === comment.id)) merged.push(comment);
        }
        const changed = merged.some((comment, index) => {
          const before = entry.post.comments[index];
          return !before || before.id !== comment.id || before.status !== comment.status;
        });
        if (changed) {
          entry.post.comments = merged;
          renderComments(kind, entry.post);
        }
      }
    }
    setTimeout(pollPending, POLL_MS);
  }

  // -- faults: processes and slow moderation -----------------------------------------------
  function processCell(process) {
    const cell = element("td", { "data-process": process.name });
    const running = process.running;
    cell.append(element("span", { class: `state ${running ? "running" : "stopped"}` }, running ? "running" : "stopped"));
    const verb = running ? "Stop" : "Start";
    const button = element("button", { type: "button", "aria-label": `${verb} ${process.name}` }, verb);
    button.addEventListener("click", () => controlProcess(process.name, running ? "stop" : "start", button));
    cell.append(" ", button);
    return cell;
  }

  function renderProcesses(micro) {
    const body = document.getElementById("processes");
    if (!body || !micro) return;
    const byService = new Map();
    for (const process of micro.processes) {
      const [service, role] = process.name.includes("-")
        ? [process.name.slice(0, process.name.lastIndexOf("-")), process.name.slice(process.name.lastIndexOf("-") + 1)]
        : [process.name, "web"];
      if (!byService.has(service)) byService.set(service, {});
      byService.get(service)[role] = process;
    }
    const rows = [...byService].map(([service, roles]) => {
      const row = element("tr");
      row.append(element("th", { scope: "row" }, service));
      row.append(roles.web ? processCell(roles.web) : element("td", {}, "–"));
      row.append(roles.worker ? processCell(roles.worker) : element("td", {}, "–"));
      return row;
    });
    body.replaceChildren(...rows);
  }

  function renderDelays(state) {
    const now = document.getElementById("moderation-now");
    if (!now) return;
    now.textContent = Object.entries(state.stacks)
      .map(([kind, stack]) => `${kind} ${stack.moderation_delay_ms} ms`)
      .join(", ");
  }

  function renderState(state) {
    renderProcesses(state.stacks.micro);
    renderDelays(state);
  }

  async function controlProcess(name, verb, button) {
    const error = document.getElementById("processes-error");
    error.textContent = "";
    button.textContent = verb === "stop" ? "Stopping…" : "Starting…";
    const answer = await busy(button, () => api("POST", `/api/micro/processes/${encodeURIComponent(name)}/${verb}/`));
    if (!answer.ok) {
      error.textContent = `${name}: ${errorMessages(answer.data).join(" ")}`;
      button.textContent = verb === "stop" ? "Stop" : "Start";
      return;
    }
    renderState(answer.data);
    const again = document.querySelector(`#processes [data-process="${name}"] button`);
    if (again) again.focus();
  }

  async function setModerationDelay(form) {
    const input = form.elements.ms;
    const button = form.querySelector('button[type="submit"]');
    showFieldError(input, "");
    const ms = input.value.trim() === "" ? null : Number(input.value);
    let state = null;
    await busy(button, async () => {
      for (const kind of Object.keys(columns)) {
        const answer = await api("POST", `/api/${kind}/moderation-delay/`, { ms });
        if (!answer.ok) return showFieldError(input, fieldMessage(answer.data, "ms"));
        state = answer.data;
      }
    });
    if (state) renderState(state);
  }

  // -- the event store timeline ------------------------------------------------------------
  function eventItem(event) {
    const item = element("li", { class: "event", "data-type": event.type });
    const time = event.occurred_at ? event.occurred_at.slice(11, 23) : "";
    item.append(element("span", { class: "event-seq" }, `#${event.seq}`));
    item.append(element("time", { datetime: event.occurred_at }, time));
    item.append(element("strong", { class: "event-type" }, event.type));
    item.append(element("span", { class: "event-service" }, event.service));
    const about = [`post ${event.post_id}`];
    if (event.comment_id !== null && event.comment_id !== undefined) about.push(`comment ${event.comment_id}`);
    if (event.status) about.push(event.status);
    item.append(element("span", { class: "event-about" }, about.join(" · ")));
    return item;
  }

  let eventsTimer = null;
  async function refreshEvents() {
    clearTimeout(eventsTimer);
    const list = document.getElementById("events");
    if (list && !document.hidden) {
      const answer = await api("GET", "/api/micro/events/?limit=20");
      const error = document.getElementById("timeline-error");
      if (answer.ok) {
        list.replaceChildren(...answer.data.events.map(eventItem));
        error.textContent = answer.data.status === 200 ? "" : `${answer.data.status}: ${errorMessages(answer.data.body).join(" ")}`;
      } else {
        error.textContent = errorMessages(answer.data).join(" ");
      }
    }
    if (list) eventsTimer = setTimeout(refreshEvents, EVENTS_MS);
  }

  function refreshEventsSoon() {
    if (!document.getElementById("events")) return;
    clearTimeout(eventsTimer);
    eventsTimer = setTimeout(refreshEvents, 300);
  }

  // -- wiring ------------------------------------------------------------------------------
  for (const [kind, column] of Object.entries(columns)) {
    const postForm = column.root.querySelector('[data-role="post-form"]');
    postForm.addEventListener("submit", (event) => {
      event.preventDefault();
      createPost(kind, postForm);
    });
    const readButton = column.root.querySelector('[data-role="read-list"]');
    readButton.addEventListener("click", () => readList(kind, readButton));
    column.root.querySelectorAll('input[name="micro-strategy"]').forEach((radio) => {
      radio.addEventListener("change", () => readList(kind, readButton));
    });
  }
  const moderationForm = document.getElementById("moderation-form");
  if (moderationForm) {
    moderationForm.addEventListener("submit", (event) => {
      event.preventDefault();
      setModerationDelay(moderationForm);
    });
  }

  async function start() {
    const answer = await api("GET", "/api/state/");
    if (answer.ok) {
      renderState(answer.data);
      const delays = Object.values(answer.data.stacks).map((stack) => stack.moderation_delay_ms);
      const input = document.getElementById("moderation-delay");
      if (input && delays.length) input.value = String(Math.max(...delays));
    }
    for (const [kind, column] of Object.entries(columns)) {
      await readList(kind, column.root.querySelector('[data-role="read-list"]'));
    }
    document.body.dataset.ready = "true";
    pollPending();
    refreshEvents();
  }

  start();
})();
