// OpenTreasury desks: the page talks to its node (same origin, antiforgery header) and to the person's
// support control (支撑控件) on their own machine. The PIN goes only to the support control; the node
// receives signatures and stamps, never a PIN or a key.
"use strict";

const desk = {
  meta(name) { return document.querySelector(`meta[name="${name}"]`)?.content ?? ""; },

  show(text, kind) {
    const box = document.getElementById("message");
    if (!box) { return; }
    box.innerHTML = "";
    const div = document.createElement("div");
    div.className = `alert ${kind}`;
    div.textContent = text;
    box.appendChild(div);
  },

  async problem(response) {
    try {
      const p = await response.json();
      const code = p.code ? ` [${p.code}-${p.codeNumber}]` : "";
      return `拒绝${code}：${p.title ?? response.statusText}`;
    } catch {
      return response.status === 429 ? "拒绝 [TooManyRequests-429]：登录尝试过于频繁，请一分钟后再试" : `拒绝：HTTP ${response.status}`;
    }
  },

  async node(path, body) {
    const response = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers: { "Content-Type": "application/json", "X-OT-Antiforgery": desk.meta("ot-antiforgery") },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    if (!response.ok) { throw new Error(await desk.problem(response)); }
    return response.json();
  },

  async agent(path, body) {
    let response;
    try {
      response = await fetch(desk.meta("ot-agent") + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    } catch {
      throw new Error(`无法连接支撑控件（${desk.meta("ot-agent")}）：请确认本机已启动 treasury agent 并插入 USBKey`);
    }
    if (!response.ok) { throw new Error("支撑控件" + await desk.problem(response)); }
    return response.json();
  },

  askPin(title) {
    const dialog = document.getElementById("pin-dialog");
    const input = document.getElementById("pin-input");
    document.getElementById("pin-title").textContent = title;
    input.value = "";
    dialog.showModal();
    input.focus();
    return new Promise((resolve, reject) => {
      const done = (ok) => {
        dialog.close();
        document.getElementById("pin-ok").onclick = null;
        document.getElementById("pin-cancel").onclick = null;
        ok ? resolve(input.value) : reject(new Error("已取消"));
        input.value = "";
      };
      document.getElementById("pin-ok").onclick = (e) => { e.preventDefault(); done(true); };
      document.getElementById("pin-cancel").onclick = (e) => { e.preventDefault(); done(false); };
    });
  },

  async login() {
    const userId = document.getElementById("userId").value.trim();
    const pin = document.getElementById("pin").value;
    document.getElementById("pin").value = "";
    if (!userId || !pin) { desk.show("请输入用户名和 USBKey PIN 码", "error"); return; }
    try {
      const challenge = await desk.node("/auth/challenge", { userId });
      const signed = await desk.agent("/agent/login", { userId, pin, party: challenge.party, challenge: challenge.challenge });
      const opened = await desk.node("/desk/api/login", { userId, challenge: challenge.challenge, signature: signed.signature });
      location.href = opened.redirect;
    } catch (e) {
      desk.show(e.message, "error");
    }
  },

  async logout() {
    await fetch("/desk/logout", { method: "POST", headers: { "X-OT-Antiforgery": desk.meta("ot-antiforgery") }, credentials: "same-origin" });
    location.href = "/desk/login";
  },

  // 盖章 (maker) or 审核并盖章 (checker): the support control stamps on the person's machine; the node checks and keeps the stamps.
  async stamp(id, role) {
    try {
      const requests = await desk.node(`/desk/api/vouchers/${id}/stamp-requests?role=${role}`);
      const pin = await desk.askPin(role === "checker" ? "审核并盖章：请输入 USBKey PIN 码" : "盖章：请输入 USBKey PIN 码");
      desk.show("支撑控件正在签章…", "info");
      const made = await desk.agent("/agent/stamp", { userId: desk.meta("ot-user"), pin, voucher: requests.voucher, positions: requests.positions });
      await desk.node(`/desk/api/vouchers/${id}/${role === "checker" ? "approve" : "stamps"}`, { stamps: made.stamps });
      // The page is read again from the library, which says what was stamped.
      location.href = `${location.pathname}?stamped=${role}`;
    } catch (e) {
      desk.show(e.message, "error");
    }
  },

  // Lists refresh when the library changes (a voucher arrives, a status moves), unless a form is being filled.
  poll() {
    if (!document.body.dataset.poll) { return; }
    let mark = null;
    setInterval(async () => {
      try {
        const changed = await desk.node("/desk/api/changes");
        const typing = document.activeElement && ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
        if (mark !== null && changed.mark !== mark && !typing && !document.querySelector("dialog[open]")) { location.reload(); }
        mark = changed.mark;
      } catch { /* the next poll tries again */ }
    }, 3000);
  },
};

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-stamp]").forEach((b) => b.addEventListener("click", () => desk.stamp(b.dataset.id, b.dataset.stamp)));
  document.getElementById("login")?.addEventListener("click", (e) => { e.preventDefault(); desk.login(); });
  document.getElementById("logout")?.addEventListener("click", (e) => { e.preventDefault(); desk.logout(); });
  desk.poll();
});
