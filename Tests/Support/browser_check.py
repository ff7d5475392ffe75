#!/usr/bin/env python3
"""Loads dashboard pages in headless Chromium with JavaScript on, after logging in
through the login form, and fails on any console error, uncaught exception or
Content-Security-Policy violation. Writes a screenshot of each page.

usage: browser_check.py BASE_URL USER PASSWORD SCREENSHOT_DIR PATH...

Chromium is driven over its DevTools protocol on a pipe (--remote-debugging-pipe:
JSON messages separated by NUL bytes on file descriptors 3 and 4), so nothing
but Python's standard library and Debian's chromium is needed.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="datamancy-chromium-")
        import fcntl
        # Chromium reads commands on fd 3 and writes answers on fd 4: the child's
        # ends are moved out of the way first, then put there after the fork.
        command_read, command_write = os.pipe()
        answer_read, answer_write = os.pipe()
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 20) for fd in (command_read, answer_write)]
        os.close(command_read)
        os.close(answer_write)
        self.to_browser, self.from_browser = command_write, answer_read
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            sys.exit("chromium is not installed (Debian package chromium)")

        def place():
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--user-data-dir=" + self.profile, "--window-size=1280,900", "--no-first-run",
             "--disable-extensions", "about:blank"],
            pass_fds=(3, 4), preexec_fn=place, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in high:
            os.close(fd)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        return self.wait(lambda m: m.get("id") == self.next_id, 30)

    def read(self, timeout):
        deadline = time.time() + timeout
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                raise TimeoutError("chromium did not answer")
            import select
            ready, _, _ = select.select([self.from_browser], [], [], max(0.0, deadline - time.time()))
            if ready:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed its pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def wait(self, matches, timeout):
        deadline = time.time() + timeout
        while True:
            message = self.read(max(0.1, deadline - time.time()))
            if "method" in message:
                self.events.append(message)
            if matches(message):
                if "error" in message:
                    raise RuntimeError(f"DevTools error: {message['error']}")
                return message

    def open_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["result"]["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)
        self.session = attached["result"]["sessionId"]
        for domain in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.send(domain)

    def loaded(self):
        """Waits for the page's load event (it may have come already)."""
        for event in self.events:
            if event.get("method") == "Page.loadEventFired":
                self.events.remove(event)
                break
        else:
            self.wait(lambda m: m.get("method") == "Page.loadEventFired", 30)
            self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        time.sleep(0.3)  # Late console messages, deferred scripts.

    def navigate(self, url):
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        self.send("Page.navigate", {"url": url})
        self.loaded()

    def evaluate(self, expression):
        answer = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return answer["result"].get("result", {}).get("value")

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        with open(path, "wb") as file:
            file.write(base64.b64decode(data["result"]["data"]))

    def problems(self):
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                found.append("exception: " + json.dumps(params.get("exceptionDetails", {}))[:300])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                found.append(f"log: {entry.get('text')} ({entry.get('url', '')})")
        self.events = []
        return found

    def close(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    base, user, password, folder, *paths = sys.argv[1:]
    os.makedirs(folder, exist_ok=True)
    browser = Browser()
    failures = []
    try:
        browser.open_page()
        browser.navigate(base + "/login")
        browser.screenshot(os.path.join(folder, "login.png"))
        failures += [f"/login: {p}" for p in browser.problems()]
        browser.evaluate(
            f"document.querySelector('#username').value = {json.dumps(user)};"
            f"document.querySelector('#password').value = {json.dumps(password)};"
            "document.querySelector('form').submit();")
        browser.loaded()
        location = browser.evaluate("location.pathname")
        if location != "/":
            failures.append(f"login did not lead to the overview but to {location}")
        for path in paths:
            browser.navigate(base + path)
            # One stable name per page: /sets/ID is "set", /runs/ID "run".
            parts = path.strip("/").split("?")[0].split("/")
            name = {"": "overview"}.get(parts[0], parts[0]) if len(parts) == 1 else parts[0].rstrip("s")
            browser.screenshot(os.path.join(folder, name + ".png"))
            title = browser.evaluate("document.querySelector('h1') && document.querySelector('h1').textContent")
            styled = browser.evaluate("getComputedStyle(document.querySelector('header') || document.body).display")
            print(f"{path}: {title!r}, header display {styled}")
            if browser.evaluate("location.pathname") == "/login":
                failures.append(f"{path}: sent back to the login")
            if path != "/login" and styled != "flex":
                failures.append(f"{path}: the stylesheet did not apply")
            failures += [f"{path}: {p}" for p in browser.problems()]
    finally:
        browser.close()
    for failure in failures:
        print("FAIL " + failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
