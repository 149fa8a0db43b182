#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The browser chat page in headless Chromium (python3-selenium): two
browser sessions and one libweft-irc client in one channel see each other's
messages, history appears on load, and a message holding <script> shows as
text. Prints TAP.

    test-browser.py SERVER_BINARY AGENT_BINARY
"""
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

print("1..1", flush=True)

try:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("ok 1 # SKIP python3-selenium is not installed")
    sys.exit(0)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not CHROMIUM or not DRIVER:
    print("ok 1 # SKIP chromium and chromium-driver are needed")
    sys.exit(0)

server_binary, agent_binary = sys.argv[1], sys.argv[2]
workdir = tempfile.mkdtemp(prefix="wcs-browser-")
procs = []
drivers = []


def lines_of(stream, sink):
    for line in iter(stream.readline, ""):
        sink.put(line.rstrip("\n"))


def wait_line(sink, pattern, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = sink.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        m = re.search(pattern, line)
        if m:
            return m
    raise AssertionError("timed out waiting for %r" % pattern)


def browser(name):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--user-data-dir=" + os.path.join(workdir, "profile-" + name)]:
        options.add_argument(arg)
    service = webdriver.ChromeService(executable_path=DRIVER) if hasattr(webdriver, "ChromeService") else \
        webdriver.chrome.service.Service(executable_path=DRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    drivers.append(driver)
    return driver


def log_texts(driver):
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#log li")]


def wait_text(driver, text, timeout=20):
    WebDriverWait(driver, timeout).until(lambda d: any(text in t for t in log_texts(d)))


def login(driver, url, nick):
    driver.get(url)
    driver.find_element(By.ID, "nick").send_keys(nick)
    channel = driver.find_element(By.ID, "channel")
    channel.clear()
    channel.send_keys("#browser")
    driver.find_element(By.ID, "connect").click()
    WebDriverWait(driver, 20).until(EC.visibility_of_element_located((By.ID, "text")))


def say(driver, text):
    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    driver.find_element(By.ID, "send").click()


try:
    server = subprocess.Popen([server_binary, "--data-dir", workdir, "--irc", "tcp:0:interface=127.0.0.1",
                               "--http", "tcp:0:interface=127.0.0.1", "--flood-penalty-ms", "0"],
                              stderr=subprocess.PIPE, text=True)
    procs.append(server)
    server_log = queue.Queue()
    threading.Thread(target=lines_of, args=(server.stderr, server_log), daemon=True).start()
    irc_port = wait_line(server_log, r"Listening for IRC on .*\(port (\d+)\)").group(1)
    http_port = wait_line(server_log, r"Listening for HTTP on .*\(port (\d+)\)").group(1)
    url = "http://127.0.0.1:%s/" % http_port

    agent = subprocess.Popen([agent_binary, irc_port, "ircbot", "#browser"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    procs.append(agent)
    agent_out = queue.Queue()
    threading.Thread(target=lines_of, args=(agent.stdout, agent_out), daemon=True).start()
    wait_line(agent_out, r"^ready$")
    # History before any browser arrives.
    agent.stdin.write("before the browsers came\n")
    agent.stdin.flush()
    # Its echo (echo-message): stored before any browser loads the page.
    wait_line(agent_out, r"^message #browser ircbot before the browsers came$")

    alice = browser("alice")
    login(alice, url, "alice")
    wait_text(alice, "before the browsers came")
    bob = browser("bob")
    login(bob, url, "bob")
    wait_text(bob, "before the browsers came")

    say(alice, "hello from alice")
    wait_text(bob, "hello from alice")
    wait_line(agent_out, r"^message #browser alice hello from alice$")

    agent.stdin.write("hello from the IRC client\n")
    agent.stdin.flush()
    wait_text(alice, "hello from the IRC client")
    wait_text(bob, "hello from the IRC client")

    evil = "<script>window.pwned=1</script><b>bold</b>"
    say(bob, evil)
    wait_text(alice, evil)
    wait_line(agent_out, r"^message #browser bob " + re.escape(evil) + "$")
    assert alice.execute_script("return window.pwned === undefined"), "a script from the network ran"
    assert not alice.find_elements(By.CSS_SELECTOR, "#log b"), "network text became HTML"
    print("ok 1 two browsers and an IRC client chat; history shows on load; <script> is text", flush=True)
    status = 0
except Exception as error:  # report, then clean up
    print("not ok 1 %s" % str(error).replace("\n", " "), flush=True)
    status = 1
finally:
    for d in drivers:
        try:
            d.quit()
        except Exception:
            pass
    for p in reversed(procs):
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
    shutil.rmtree(workdir, ignore_errors=True)
sys.exit(status)
