import sys
from playwright.sync_api import sync_playwright
from axe_playwright_python.sync_playwright import Axe
from hotline.portals.tests.base import load_demo_network

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

def log(*a):
    print(*a, file=sys.stderr, flush=True)

def test_exp(live_server, transactional_db):
    load_demo_network()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for js in (True, False):
            ctx = b.new_context(java_script_enabled=js)
            page = ctx.new_page()
            page.set_default_timeout(10000)
            page.goto(live_server.url + "/gm/en/report/")
            log(js, page.title())
            axe = Axe()
            page.evaluate(axe.axe_script)
            log("injected", page.evaluate("typeof axe"))
            try:
                r = page.evaluate("Promise.race([axe.run({resultTypes:['violations']}).then(r => r.violations.length), new Promise(r => setTimeout(() => r('timeout'), 5000))])")
                log("race", r)
            except Exception as e:
                log("ERR", e)
            ctx.close()
        b.close()
