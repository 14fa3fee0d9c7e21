"""A tiny Chrome DevTools Protocol driver for the browser test (Debian's chromium, headless).

with Browser(url) as b:
    b.wait_for_text("Streams today", timeout=30)
    b.screenshot(Path("docs/screenshots/live.png"))
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
    "--hide-scrollbars",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    def __init__(self, url: str) -> None:
        self.url = url
        self.profile = tempfile.mkdtemp(prefix="earshot-chromium-")
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.ids = itertools.count(1)
        self.ws: Any = None

    def __enter__(self) -> Browser:
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if exe is None:
            raise RuntimeError("chromium is not installed: bash infra/bootstrap.sh --browser")
        self.proc = subprocess.Popen(
            [
                exe,
                *FLAGS,
                f"--user-data-dir={self.profile}",
                f"--remote-debugging-port={self.port}",
                self.url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ws_url = self._page_ws()
        # entered as a context manager (closed in __exit__), as websockets 17 asks
        self.ws = connect(ws_url, max_size=64 << 20, open_timeout=30).__enter__()
        return self

    def _page_ws(self, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=2) as r:
                    pages = [t for t in json.load(r) if t.get("type") == "page"]
                if pages:
                    return str(pages[0]["webSocketDebuggerUrl"])
            except OSError:
                pass
            time.sleep(0.3)
        raise TimeoutError("chromium did not open its DevTools endpoint")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self.ids)

        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=30))
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return dict(msg.get("result", {}))

    def text(self) -> str:
        res = self.call(
            "Runtime.evaluate", expression="document.body ? document.body.innerText : ''", returnByValue=True
        )
        return str(res["result"].get("value") or "")

    def fill(self, label: str, text: str) -> None:
        """Type into the input labelled `label` as a person would: focus it, then insert the text."""
        js = f"""(() => {{
          const el = document.querySelector('input[aria-label={json.dumps(label)}]');
          if (!el) return false;
          el.focus(); el.select(); return true;
        }})()"""
        if not self.call("Runtime.evaluate", expression=js, returnByValue=True)["result"].get("value"):
            raise AssertionError(f"no input labelled {label!r} on the page")
        self.call("Input.insertText", text=text)

    def click_button(self, text: str) -> None:
        js = f"""(() => {{
          const all = [...document.querySelectorAll('button')];
          const b = all.find(b => b.innerText.trim() === {json.dumps(text)});
          if (!b) return false;
          b.click(); return true;
        }})()"""
        if not self.call("Runtime.evaluate", expression=js, returnByValue=True)["result"].get("value"):
            raise AssertionError(f"no button {text!r} on the page")

    def navigate(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def settled(self) -> bool:
        """No script run in progress and every chart drawn."""
        js = """(() => {
          const busy = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"]';
          if (document.querySelector(busy)) return false;
          const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
          return charts.every(c => c.querySelector('canvas, svg'));
        })()"""
        return bool(self.call("Runtime.evaluate", expression=js, returnByValue=True)["result"].get("value"))

    def wait_for_text(self, *needles: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        body = ""
        while time.monotonic() < deadline:
            body = self.text()
            if all(n in body for n in needles) and self.settled():
                time.sleep(0.5)  # one more frame for lazily drawn widgets, then check again
                if self.settled():
                    return self.text()
            time.sleep(0.25)
        raise AssertionError(f"page never showed {needles!r}; it showed:\n{body[:2000]}")

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def __exit__(self, *exc: object) -> None:
        try:
            if self.ws is not None:
                self.ws.close()
        finally:
            if self.proc is not None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)
