// The web chat: no build step. Talks to POST /webchat/messages and polls /webchat/updates
// for pushed notifications (and replies to messages held while the assistant was away).
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var statusLine = document.getElementById("status");
  var POLL_MS = 3000;

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }
  var sender = localStorage.getItem("msme-desk-sender");
  if (!sender) { sender = randomId(); localStorage.setItem("msme-desk-sender", sender); }
  var lastId = -1;

  function add(kind, text, buttons) {
    var item = document.createElement("li");
    item.className = kind;
    item.textContent = text || "";  // never innerHTML: the text is not ours
    if (buttons && buttons.length) {
      var choices = document.createElement("div");
      choices.className = "choices";
      choices.setAttribute("role", "group");
      buttons.forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.addEventListener("click", function () { send(b.payload, b.title); });
        choices.appendChild(button);
      });
      item.appendChild(choices);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function send(payload, shown) {
    add("user", shown || payload);
    statusLine.textContent = "…";
    return fetch("/webchat/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: "web:" + sender, text: payload, message_id: randomId() })
    }).then(function (r) {
      // 429 (sending too fast) carries the gateway's own message to show.
      if (!r.ok && r.status !== 429) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (data) {
      statusLine.textContent = "";
      (data.messages || []).forEach(function (m) { add("bot", m.text, m.buttons); });
      if (data.pending) statusLine.textContent = "The assistant is taking a moment; the answer will appear here.";
    }).catch(function () {
      statusLine.textContent = "Could not reach the server. Please try again.";
    });
  }

  function poll() {
    fetch("/webchat/updates?sender=web:" + encodeURIComponent(sender) + "&after=" + lastId)
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        (data.messages || []).forEach(function (m) {
          add(m.kind === "reply" ? "bot" : "notification", m.text, m.buttons);
        });
        if (typeof data.last_id === "number") lastId = data.last_id;
      })
      .catch(function () { /* try again at the next tick */ })
      .then(function () { setTimeout(poll, document.hidden ? POLL_MS * 4 : POLL_MS); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });

  add("bot", "Namaste! I can file a grievance for your enterprise, tell you its status, or answer questions about MSME schemes. Type \"hi\" to begin. / नमस्ते! शुरू करने के लिए \"नमस्ते\" लिखें।");
  poll();
  input.focus();
})();
