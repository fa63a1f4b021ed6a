"""serve --https: a self-signed certificate, kept while it covers the names and is not about to expire."""

from __future__ import annotations

import datetime
import ssl
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import uvicorn
from cryptography import x509

from formcheck.api import tls
from formcheck.api.main import create_app
from formcheck.api.settings import Settings


def names_of(cert_path: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(value) for value in names.get_values_for_type(x509.DNSName) + names.get_values_for_type(x509.IPAddress)}


def test_made_once_for_the_names_then_kept(tmp_path: Path) -> None:
    cert_path, key_path = tls.self_signed_certificate(tmp_path, ["localhost", "127.0.0.1", "::1", "[::1]"])
    made = cert_path.read_bytes()

    assert names_of(cert_path) == {"localhost", "127.0.0.1", "::1"}
    assert tls.self_signed_certificate(tmp_path, ["localhost"]) == (cert_path, key_path)
    assert cert_path.read_bytes() == made, "a certificate that covers the names is kept (the phone accepted it)"


def test_made_again_for_a_new_name_or_near_expiry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert_path, _ = tls.self_signed_certificate(tmp_path, ["localhost"])
    tls.self_signed_certificate(tmp_path, ["localhost", "192.168.1.20"])
    assert names_of(cert_path) == {"localhost", "192.168.1.20"}

    made = cert_path.read_bytes()
    monkeypatch.setattr(tls, "RENEW_BEFORE", datetime.timedelta(days=tls.VALID_DAYS + 1))
    tls.self_signed_certificate(tmp_path, ["localhost"])
    assert cert_path.read_bytes() != made


def test_the_app_answers_over_tls_with_it(tmp_path: Path) -> None:
    cert_path, key_path = tls.self_signed_certificate(tmp_path / "tls", ["127.0.0.1"])
    config = uvicorn.Config(
        create_app(Settings(upload_dir=tmp_path / "uploads")), host="127.0.0.1", port=0, log_level="warning",
        ssl_certfile=str(cert_path), ssl_keyfile=str(key_path),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        port = server.servers[0].sockets[0].getsockname()[1]
        trusted = ssl.create_default_context(cafile=str(cert_path))  # as a phone does once the warning is accepted
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/session", context=trusted, timeout=10) as response:
            assert response.status == 200
    finally:
        server.should_exit = True
        thread.join(timeout=10)
