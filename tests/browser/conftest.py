"""Fixtures of the browser journeys.

A second app, with CSRF on and its own outbox, is served by Werkzeug on a free port of
127.0.0.1 for the whole session. Journeys drive Debian's Chromium through Playwright
(never a downloaded browser) and check every page with axe. They commit real rows, so
every table is emptied before the first journey and after each one.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Playwright, Response, sync_playwright
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

import civic.models  # noqa: F401  (every table in Base.metadata)
from civic import create_app
from civic.core.db import Base
from tests.conftest import test_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                         "has_touch": True}
TABLET: dict[str, Any] = {"viewport": {"width": 1024, "height": 768}}
#: axe tags of WCAG 2.0 and 2.1, levels A and AA: any violation tagged so fails the journey.
WCAG_TAGS = frozenset({"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"})
#: Only the rules of those levels run: the same findings, in less time.
_AXE_OPTIONS = {"resultTypes": ["violations"],
                "runOnly": {"type": "tag", "values": sorted(WCAG_TAGS)}}
_axe = Axe()


# --- Sharing the journeys between two runs ----------------------------------------------

#: ``k/n``: this run takes the k-th of every n journeys (CI runs the suite on SQLite and on
#: PostgreSQL side by side on two cores, and gives each run half of the journeys).
SHARE_VARIABLE = "CIVIC_BROWSER_SHARE"


def share_of(nodeids: list[str], share: str) -> set[str]:
    """The journeys of ``share`` (``"1/2"``): every n-th in the order of their ids, from
    the k-th; the n shares hold every journey once."""
    match = re.fullmatch(r"([1-9]\d*)/([1-9]\d*)", share)
    if match is None or int(match[1]) > int(match[2]):
        raise pytest.UsageError(f"{SHARE_VARIABLE} must be k/n with 1 ≤ k ≤ n, not {share!r}")
    k, n = int(match[1]), int(match[2])
    return {nodeid for i, nodeid in enumerate(sorted(nodeids)) if i % n == k - 1}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    share = os.environ.get(SHARE_VARIABLE)
    if not share:
        return
    here = Path(__file__).parent
    journeys = [item.nodeid for item in items if here in item.path.parents]
    left = set(journeys) - share_of(journeys, share)
    if left:
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid in left])
        items[:] = [item for item in items if item.nodeid not in left]


# --- Database ------------------------------------------------------------------------


def _delete_all_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(scope="session")
def browser_engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    _delete_all_rows(engine)  # whatever an earlier run or test left behind
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables_after(browser_engine: Engine) -> Iterator[None]:
    """Set up before the pages of a journey, so torn down after them: rows go last."""
    yield
    _delete_all_rows(browser_engine)


@pytest.fixture
def seed(browser_engine: Engine) -> Iterator[Session]:
    """A real session for the factories: read what you need, then ``commit()`` before the
    browser looks (the session then holds no connection while the server writes)."""
    with Session(bind=browser_engine) as session:
        yield session


# --- Live server and mail --------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_outbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-outbox")


@pytest.fixture(scope="session")
def browser_uploads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser app stores uploaded photos (never the instance folder)."""
    return tmp_path_factory.mktemp("browser-uploads")


def serve(database_url: str, outbox: Path, uploads: Path, host: str) -> Iterator[str]:
    """A second app, with CSRF on, served on a free port of 127.0.0.1 and reached as
    ``host`` (security keys refuse an IP address as the site's identity)."""
    app = create_app(test_config(database_url, outbox, WTF_CSRF_ENABLED=True,
                                 TESTING=False, UPLOAD_DIR=str(uploads)))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    address = f"http://{host}:{server.server_port}"
    app.config["BASE_URL"] = address  # mailed links lead back to this server
    thread = threading.Thread(target=server.serve_forever, name=f"civic-{host}",
                              daemon=True)
    thread.start()
    try:
        yield address
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["civic.engine"].dispose()


@pytest.fixture(scope="session")
def live_server(database_url: str, browser_outbox: Path, browser_uploads: Path
                ) -> Iterator[str]:
    yield from serve(database_url, browser_outbox, browser_uploads, "127.0.0.1")


class Mailbox:
    """The .eml files the browser app wrote."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        for path in directory.glob("*.eml"):
            path.unlink()

    @property
    def messages(self) -> list[EmailMessage]:
        return [cast(EmailMessage, email.message_from_bytes(path.read_bytes(),
                                                            policy=email.policy.default))
                for path in sorted(self.directory.glob("*.eml"))]

    def last_to(self, address: str) -> EmailMessage:
        mails = [m for m in self.messages if m["To"] == address]
        assert mails, f"no mail to {address} in {self.directory}"
        return mails[-1]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())

    def link(self, message: EmailMessage, path_prefix: str) -> str:
        """The only link of the mail whose path starts with ``path_prefix``."""
        links = [url for url in re.findall(r"https?://\S+", self.body(message))
                 if urlsplit(url).path.startswith(path_prefix)]
        assert len(links) == 1, f"expected one {path_prefix} link in:\n{self.body(message)}"
        return links[0]


@pytest.fixture
def mailbox(browser_outbox: Path) -> Mailbox:
    return Mailbox(browser_outbox)


# --- Browser -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
    except Exception as error:  # a missing binary, a sandbox refused, ...
        first_line = str(error).strip().splitlines()[0]
        reason = f"Chromium cannot be launched from {CHROMIUM}: {first_line}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    yield chromium
    chromium.close()


def _open_page(browser: Browser, base_url: str, device: dict[str, Any]) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, locale="fr-FR", **device)
    context.set_default_timeout(10_000)
    page = context.new_page()
    server_errors: list[str] = []

    def watch(response: Response) -> None:
        if response.status >= 500:
            server_errors.append(f"{response.status} {response.request.method} {response.url}")

    page.on("response", watch)
    try:
        yield page
    finally:
        context.close()
    assert not server_errors, f"the server failed: {server_errors}"


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    """A resident's phone (390×844, touch)."""
    yield from _open_page(browser, live_server, PHONE)


@pytest.fixture
def tablet(browser: Browser, live_server: str) -> Iterator[Page]:
    """A pilot's tablet (1024×768)."""
    yield from _open_page(browser, live_server, TABLET)


# --- Languages -----------------------------------------------------------------------


def speaks_french_elsewhere(page: Page) -> None:
    """On an English or Arabic page, no French sentence of the catalogues (three words or
    more) in what the site writes: every journey's audit checks it."""
    lang = page.evaluate("document.documentElement.lang")
    if lang not in ("en", "ar"):
        return
    from tests.test_forms_speak_the_page_language import french_sentences

    # What residents wrote (titles, names) is isolated in <bdi> and may be French.
    text = " ".join(str(page.evaluate("""() => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('bdi, [lang=fr], script, style').forEach(e => e.remove());
        return body.textContent;
    }""")).split())
    found = sorted(sentence for sentence in french_sentences() if sentence in text)
    if found:
        pytest.fail(f"French on the {lang} page {page.url}: {found}", pytrace=False)


# --- Accessibility -------------------------------------------------------------------


def audit(page: Page) -> None:
    """Fail on any WCAG 2.0/2.1 A or AA violation axe finds on the page as it is now,
    and, on a page in English or Arabic, on any French sentence of the catalogues."""
    speaks_french_elsewhere(page)
    # axe is put in the page once: it stays there while the page changes without loading.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe.axe_script)
    results = page.evaluate("options => axe.run(document, options)", _AXE_OPTIONS)
    violations = [v for v in results["violations"] if WCAG_TAGS & set(v["tags"])]
    if not violations:
        return
    lines = [f"axe found {len(violations)} WCAG A/AA violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(str(part) for part in node['target'])}")
    report = "\n".join(lines)
    print(report)
    pytest.fail(report, pytrace=False)


@pytest.fixture(name="audit")
def audit_fixture() -> Callable[[Page], None]:
    return audit
