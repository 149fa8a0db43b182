#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A real browser against the Weft server: headless Chromium loads the test
page from soup-browser-server (one per reactor backend), exchanges text and
binary WebSocket messages with it, runs a line-mode (IRCv3 text) socket,
and closes with a code both sides see. TAP output."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

BACKENDS = ["select", "poll", "epoll", "glib"]


def skip_all(reason):
    print(f"1..0 # SKIP {reason}")
    sys.exit(0)


def main():
    server_program = sys.argv[1]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        skip_all("python3-selenium is not installed")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = "/usr/bin/chromedriver"
    if chromium is None or not os.path.exists(driver_path):
        skip_all("chromium or chromedriver is not installed")

    profile = tempfile.mkdtemp(prefix="weft-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     "--disable-dev-shm-usage", f"--user-data-dir={profile}"]:
        options.add_argument(argument)

    print(f"1..{len(BACKENDS)}")
    browser = None
    failures = 0
    try:
        browser = webdriver.Chrome(service=Service(driver_path), options=options)
        browser.set_page_load_timeout(30)
        for number, backend in enumerate(BACKENDS, start=1):
            ok, detail = run_backend(browser, server_program, backend)
            if not ok:
                failures += 1
            print(f"{'ok' if ok else 'not ok'} {number} /{backend}/browser/page-and-websockets")
            for line in detail:
                print(f"# {line}")
            sys.stdout.flush()
    finally:
        if browser is not None:
            browser.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return 1 if failures else 0


def run_backend(browser, server_program, backend):
    detail = []
    server = subprocess.Popen([server_program, backend], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline().split()
        if len(first) < 3 or first[0] != "PORT":
            return False, ["server did not start: " + " ".join(first) + server.stderr.read()]
        port = int(first[1])
        browser.get(f"http://127.0.0.1:{port}/")
        if browser.title != "Weft WebSocket test":
            return False, [f"unexpected page title {browser.title!r}"]
        deadline = time.monotonic() + 30
        result = None
        while time.monotonic() < deadline:
            result = browser.execute_script("return window.weftResult")
            if result and result["state"] not in ("starting", "running"):
                break
            time.sleep(0.05)
        detail.append("browser: " + json.dumps(result))
        output, errors = server.communicate(input="", timeout=30)
        detail.extend("server: " + line for line in output.splitlines())
        if server.returncode != 0:
            detail.append("server exit status %d: %s" % (server.returncode, errors.strip()))
            return False, detail
        expected_echoes = ["text:hello from the browser", "binary:0,1,2,250", "text:h\u00e9llo \u2603"]
        ok = (result is not None and result["state"] == "done"
              and result["echoes"] == expected_echoes
              and result["closeCode"] == 4001 and result["closeReason"] == "browser done"
              and result["lines"] == [":weft NOTICE * :got NICK browser", ":weft NOTICE * :got PING :weft"]
              and "CLOSED 4001 browser done" in output
              and "LINE NICK browser" in output and "LINE PING :weft" in output)
        return ok, detail
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
