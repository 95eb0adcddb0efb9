"""The preview server (scripts/serve_site.py) under load and under hostile requests.

A tiny site is built in a temporary folder (no MkDocs), so these tests run in seconds:
200 parallel requests are all answered; odd paths get a clean 400 or 404 and the server
keeps serving; nothing outside the site folder, no dotfile, `_headers` or site-headers/
is ever served; a folder's address without its slash is redirected; keep-alive, gzip,
ETags and caching still work; and the server's threads end when it stops."""

from __future__ import annotations

import gzip
import http.client
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from serve_site import SiteServer  # noqa: E402

PREFIX = "/patient-info/"
SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"
HIDDEN = "HIDDEN-FILE-CONTENT"
STYLE = "body { color: #222; }\n" * 200
FINGERPRINTED = "assets/main.0123abcd.min.css"


def page(title: str) -> str:
    return f"<!doctype html><title>{title}</title><h1>{title}</h1>\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A small site next to a secret file, with every kind of file a host must not serve."""
    base = tmp_path_factory.mktemp("serve")
    (base / "secret.txt").write_text(SECRET, encoding="utf-8")
    (base / "outside").mkdir()
    (base / "outside" / "index.html").write_text(SECRET, encoding="utf-8")
    site = base / "site"
    files = {
        "index.html": page("Start"),
        "404.html": page("Not found"),
        "a/index.html": page("Folder a"),
        "a/b/index.html": page("Folder b"),
        "café/index.html": page("Cafe"),
        "empty/readme.txt": "a folder without index.html",
        "style.css": STYLE,
        FINGERPRINTED: STYLE,
        "_headers": f"/*\n  X-Test-Header: applied\n# {HIDDEN}\n",
        ".htaccess": HIDDEN,
        ".env": HIDDEN,
        "a/.secret": HIDDEN,
        ".hidden/index.html": HIDDEN,
        "a/_headers": HIDDEN,
        "site-headers/nginx.conf": HIDDEN,
    }
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    (site / "leak.txt").symlink_to(base / "secret.txt")
    (site / "leak-dir").symlink_to(base / "outside", target_is_directory=True)
    (site / "alias.txt").symlink_to(site / ".htaccess")
    (site / "same.txt").symlink_to(site / "style.css")
    (site / "loop").symlink_to(site / "loop")  # a symlink to itself
    os.mkfifo(site / "pipe")  # reading it would wait for ever
    return site


@pytest.fixture(scope="module", params=[PREFIX, "/"], ids=["sub-path", "root"])
def server(request, site):
    with SiteServer(site, request.param) as server:
        yield server


def ask(connection: socket.socket, target: bytes, method: bytes = b"GET") -> bytes:
    """Send one request on `connection`, read until the server closes it, and close it."""
    with connection:
        connection.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
        return data


def raw_request(server: SiteServer, target: bytes, method: bytes = b"GET") -> tuple[int, dict[str, str], bytes]:
    """Send a request line as given (no client-side checks) and read the whole answer.

    A dropped connection gives no status line, and the test fails on it."""
    data = ask(socket.create_connection(("127.0.0.1", server.port), timeout=10), target, method)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1."), f"no answer to {target[:80]!r}: {data[:200]!r}"
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def get(url: str, headers: dict[str, str] | None = None):
    """(status, headers, body) of a GET through urllib, without following redirects."""
    try:
        with OPENER.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def assert_still_serving(server: SiteServer) -> None:
    status, _, body = get(server.url)
    assert status == 200 and b"Start" in body


# ---------------------------------------------------------------- load

def test_200_parallel_requests_are_all_answered(site):
    with SiteServer(site, PREFIX) as server:
        # Open all 200 connections before the first request is written, so they wait
        # in the listen queue together, as they do when a clinic's waiting room loads the guide.
        start = time.monotonic()
        connections = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(200)]
        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(lambda connection: ask(connection, b"/patient-info/a/"), connections))
        statuses = [answer.split(b" ", 2)[1] if answer else b"dropped" for answer in answers]
        assert statuses == [b"200"] * 200
        assert all(b"Folder a" in answer for answer in answers)
        assert time.monotonic() - start < 10
        # and through an ordinary client, each request on its own connection
        with ThreadPoolExecutor(max_workers=200) as pool:
            results = list(pool.map(lambda _: get(server.url + "a/b/")[0], range(200)))
        assert results == [200] * 200
    assert server.ledger.count() == 400  # after the stop, which waits for every connection's thread


# ---------------------------------------------------------------- odd and hostile paths

BAD_REQUEST = [  # not a valid path at all: 400
    b"%00", b"a%00/", b"index.html%00.txt", b"%0d%0aX-Injected:%20yes",
    b"%zz", b"%", b"a%2", b"%g0/",
    b"%ff%fe", b"caf%e9/", b"\xff\xfe", b"caf\xe9/",
]
NOT_FOUND = [  # a valid path that names nothing servable: 404
    b"x" * 300, b"x" * 300 + b"/", b"x" * 5000, b"a/" + b"y" * 300 + b"/index.html",
    b"/".join([b"z" * 250] * 20),
    b"../secret.txt", b"../../secret.txt", b"a/../../secret.txt", b"a/../../../../../../etc/passwd",
    b"%2e%2e/secret.txt", b"%2E%2E%2Fsecret.txt", b"..%2fsecret.txt", b"%2e%2e%2f%2e%2e%2fsecret.txt",
    b"..%5csecret.txt", b"a/./../../secret.txt", b"./index.html", b"a/../index.html",
    b"/etc/passwd", b"//etc/passwd", b"%2fetc%2fpasswd",
    b"leak.txt", b"leak-dir/", b"leak-dir/index.html", b"leak-dir", b"loop", b"loop/", b"pipe",
    b"style.css/", b"index.html/",
    b"no-such-page/", b"no-such-page",
]
HIDDEN_PATHS = [
    b"_headers", b".htaccess", b".env", b"a/.secret", b".hidden/", b".hidden/index.html", b".hidden",
    b"a/_headers", b"site-headers/nginx.conf", b"site-headers/", b"site-headers",
    b"%5fheaders", b"%2ehtaccess", b"%2Eenv", b"alias.txt", b"a/../_headers", b"a/%2e%2e/.htaccess",
]


def short(tail: bytes) -> str:
    """A readable test id: 'xxx...(300 bytes)' for the long ones."""
    return repr(tail) if len(tail) <= 40 else f"{tail[:20]!r}...({len(tail)} bytes)"


def prefixed(server: SiteServer, tail: bytes) -> bytes:
    return server.prefix.encode() + tail


@pytest.mark.parametrize("tail", BAD_REQUEST, ids=short)
def test_a_malformed_path_gets_400_and_the_server_keeps_serving(server, tail):
    status, headers, body = raw_request(server, prefixed(server, tail))
    assert status == 400
    assert "x-injected" not in headers
    assert SECRET.encode() not in body and HIDDEN.encode() not in body
    assert_still_serving(server)


@pytest.mark.parametrize("method", [b"GET", b"HEAD"])
@pytest.mark.parametrize("tail", NOT_FOUND + HIDDEN_PATHS, ids=short)
def test_a_path_to_nothing_servable_gets_404_and_the_server_keeps_serving(server, tail, method):
    status, headers, body = raw_request(server, prefixed(server, tail), method)
    assert status == 404
    assert SECRET.encode() not in body and HIDDEN.encode() not in body
    if method == b"GET":
        assert b"Not found" in body  # the site's own 404 page
    else:
        assert body == b""
    assert headers["x-test-header"] == "applied"
    assert_still_serving(server)


def test_a_symlink_inside_the_site_to_a_file_inside_it_is_served(server):
    status, _, body = get(server.url + "same.txt")
    assert status == 200 and body.decode() == STYLE


def test_odd_requests_on_one_kept_alive_connection_do_not_break_it(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    for tail in ["x" * 300, "%2e%2e/secret.txt", ".htaccess", "", "a/"]:
        connection.request("GET", server.prefix + tail)
        response = connection.getresponse()
        response.read()
        assert response.status == (200 if tail in ("", "a/") else 404)
        assert not response.will_close
    connection.close()


def test_a_request_target_that_is_not_a_path_gets_400(server):
    assert raw_request(server, b"*")[0] == 400
    assert raw_request(server, b"index.html")[0] == 400
    assert_still_serving(server)


# ---------------------------------------------------------------- redirects

@pytest.mark.parametrize("tail, location", [
    ("a", "a/"),
    ("a/b", "a/b/"),
    ("a/b?x=1&y=two", "a/b/?x=1&y=two"),
    ("caf%C3%A9", "caf%C3%A9/"),
])
def test_a_folder_address_without_its_slash_is_redirected(server, tail, location):
    status, headers, _ = get(server.url + tail)
    assert status == 301
    assert headers["Location"] == server.prefix + location
    assert headers["X-Test-Header"] == "applied"
    status, _, body = get(server.origin + headers["Location"])
    assert status == 200 and b"<h1>" in body


def test_the_sub_path_without_its_slash_is_redirected_with_its_query(site):
    with SiteServer(site, PREFIX) as server:
        for address, location in [("/patient-info", "/patient-info/"), ("/patient-info?lang=en", "/patient-info/?lang=en")]:
            status, headers, _ = get(server.origin + address)
            assert (status, headers["Location"]) == (301, location)
        assert get(server.origin + "/")[0] == 404
        assert get(server.origin + "/a/")[0] == 404


def test_a_folder_without_an_index_is_not_found_with_or_without_slash(server):
    assert get(server.url + "empty")[0] == 404
    assert get(server.url + "empty/")[0] == 404
    assert get(server.url + "empty/readme.txt")[0] == 200


# ---------------------------------------------------------------- what a real host does still works

def test_keep_alive_gzip_etags_and_caching_still_work(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    path = server.prefix
    connection.request("GET", path + "style.css", headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    body = response.read()
    first_socket = connection.sock
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Vary") == "Accept-Encoding"
    assert gzip.decompress(body).decode() == STYLE
    assert response.getheader("Cache-Control") == "no-cache"
    assert response.getheader("Content-Type") == "text/css; charset=utf-8"
    assert response.getheader("X-Test-Header") == "applied"
    etag = response.getheader("ETag")

    connection.request("GET", path + "style.css", headers={"If-None-Match": etag})
    response = connection.getresponse()
    assert (response.status, response.read()) == (304, b"")
    assert connection.sock is first_socket  # the same connection, kept alive

    connection.request("GET", path + FINGERPRINTED)
    response = connection.getresponse()
    assert response.read().decode() == STYLE
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("Content-Encoding") is None
    assert connection.sock is first_socket
    connection.close()


def test_a_changed_file_is_served_fresh(tmp_path):
    (tmp_path / "index.html").write_text(page("Old"), encoding="utf-8")
    with SiteServer(tmp_path) as server:
        assert b"Old" in get(server.url)[2]
        (tmp_path / "index.html").write_text(page("New version"), encoding="utf-8")
        os.utime(tmp_path / "index.html", (time.time() + 5, time.time() + 5))
        assert b"New version" in get(server.url)[2]


def test_the_ledger_counts_every_answer_with_its_bytes(site):
    with SiteServer(site, PREFIX) as server:
        get(server.url)
        raw_request(server, b"/patient-info/%00")
        get(server.url + "a")
        get(server.url + ".htaccess")
    entries = server.ledger.take()  # after the stop, which waits for every connection's thread
    assert sorted(entry.status for entry in entries) == [200, 301, 400, 404]  # each on its own connection
    assert all(entry.bytes > 0 for entry in entries)


def test_a_missing_404_page_still_gives_a_clean_404(tmp_path):
    (tmp_path / "index.html").write_text(page("Start"), encoding="utf-8")
    with SiteServer(tmp_path) as server:
        status, _, _ = get(server.url + "nothing/")
        assert status == 404
        assert raw_request(server, b"/%00")[0] == 400
        assert_still_serving(server)


# ---------------------------------------------------------------- shutting down

def test_stopping_the_server_ends_its_threads_even_with_idle_connections_open(site):
    before = set(threading.enumerate())
    with SiteServer(site, PREFIX) as server:
        port = server.port
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(5)]
        kept_alive = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        kept_alive.request("GET", PREFIX)
        kept_alive.getresponse().read()
        half_sent = idle[0]
        half_sent.sendall(b"GET /patient-info/ HTTP/1.1\r\nHost: x\r\n")  # never finished
        time.sleep(0.2)
        started = time.monotonic()
    assert time.monotonic() - started < 3
    leftover = [thread for thread in threading.enumerate() if thread not in before and thread.is_alive()]
    assert not leftover, leftover
    for connection in idle:
        assert connection.recv(1) == b""  # closed by the server
        connection.close()
    kept_alive.close()
