// SPDX-License-Identifier: LGPL-2.1-or-later
// Opens a WebSocket to the page's own server, sends text and binary
// messages and records what comes back; the driver reads window.weftResult.
"use strict";

window.weftResult = { state: "starting", echoes: [], lines: [], closeCode: null, closeReason: null };

function log(text) {
  const item = document.createElement("li");
  item.textContent = text;
  document.getElementById("log").appendChild(item);
}

function runEcho() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/echo`);
    ws.binaryType = "arraybuffer";
    const expected = 3;
    ws.onopen = () => {
      ws.send("hello from the browser");
      ws.send(new Uint8Array([0, 1, 2, 250]).buffer);
      ws.send("h\u00e9llo \u2603");
    };
    ws.onmessage = (event) => {
      if (typeof event.data === "string")
        window.weftResult.echoes.push("text:" + event.data);
      else
        window.weftResult.echoes.push("binary:" + Array.from(new Uint8Array(event.data)).join(","));
      log("echo " + window.weftResult.echoes[window.weftResult.echoes.length - 1]);
      if (window.weftResult.echoes.length === expected)
        ws.close(4001, "browser done");
    };
    ws.onclose = (event) => {
      window.weftResult.closeCode = event.code;
      window.weftResult.closeReason = event.reason;
      resolve();
    };
    ws.onerror = () => reject(new Error("echo socket failed"));
  });
}

function runLines() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/irc`, ["text.ircv3.net"]);
    ws.onopen = () => {
      if (ws.protocol !== "text.ircv3.net")
        reject(new Error("subprotocol " + ws.protocol));
      ws.send("NICK browser");
      ws.send("PING :weft");
    };
    ws.onmessage = (event) => {
      window.weftResult.lines.push(event.data);
      log("line " + event.data);
      if (window.weftResult.lines.length === 2)
        ws.close(1000, "bye");
    };
    ws.onclose = () => resolve();
    ws.onerror = () => reject(new Error("line socket failed"));
  });
}

window.addEventListener("load", () => {
  window.weftResult.state = "running";
  runEcho()
    .then(runLines)
    .then(() => {
      window.weftResult.state = "done";
    })
    .catch((error) => {
      window.weftResult.state = "failed: " + error.message;
    });
});
