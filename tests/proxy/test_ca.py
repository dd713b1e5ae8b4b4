"""The proxy's local CA (emulator/proxy/ca.py): made once, kept private, issuing leaves that verify only for
their own host."""

from __future__ import annotations

import os
import socket
import ssl
import stat
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from emulator.proxy.ca import CA_KEY_FILE, CertificateAuthority, ca_paths, load_or_create

HOST = "mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com"


@pytest.fixture
def ca(tmp_path):
    authority = CertificateAuthority(tmp_path)
    yield authority
    authority.close()


def _handshake(ca: CertificateAuthority, cert_host: str, client: ssl.SSLContext, server_hostname: str) -> None:
    """A TLS handshake over a socket pair: the server side presents `cert_host`'s leaf."""
    left, right = socket.socketpair()
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            with ca.server_context(cert_host).wrap_socket(right, server_side=True) as tls:
                tls.recv(1)
        except (ssl.SSLError, OSError) as exc:
            failure.append(exc)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with client.wrap_socket(left, server_hostname=server_hostname) as tls:
            tls.sendall(b"x")
    finally:
        left.close()
        thread.join()


def test_leaf_verifies_against_the_ca_with_the_host_checked(ca):
    client = ssl.create_default_context(cafile=str(ca.cert_path))
    _handshake(ca, HOST, client, HOST)  # no exception: chain and host name check out


def test_a_wrong_host_fails_verification(ca):
    client = ssl.create_default_context(cafile=str(ca.cert_path))
    with pytest.raises(ssl.SSLCertVerificationError, match="match|mismatch"):
        _handshake(ca, HOST, client, "other.rest.marketingcloudapis.com")


def test_a_client_without_the_ca_refuses_the_leaf(ca, tmp_path):
    stranger = CertificateAuthority(tmp_path / "other")
    try:
        client = ssl.create_default_context(cafile=str(stranger.cert_path))
        with pytest.raises(ssl.SSLCertVerificationError):
            _handshake(ca, HOST, client, HOST)
    finally:
        stranger.close()


def test_leaf_names_its_host_and_is_no_ca(ca):
    leaf = ca.leaf(HOST)
    assert leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName) == [HOST]
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert leaf.issuer == ca.cert.subject
    assert ca.cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True


def test_leaf_contexts_are_cached_per_host(ca):
    assert ca.server_context(HOST) is ca.server_context(HOST.upper())
    assert ca.server_context(HOST) is not ca.server_context("webservice.exacttarget.com")


def test_the_ca_key_is_private_and_only_in_its_directory(ca, tmp_path):
    cert_path, key_path = ca_paths(tmp_path)
    assert key_path.parent == tmp_path and key_path.name == CA_KEY_FILE
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" not in ca.pem() and b"PRIVATE KEY" not in cert_path.read_bytes()
    # The leaf files the TLS contexts load hold the leaves' own key, never the CA's.
    ca.server_context(HOST)
    ca_key = key_path.read_bytes()
    ca_secret = serialization.load_pem_private_key(ca_key, None).private_numbers().private_value
    for path in ca._workdir.iterdir():
        data = path.read_bytes()
        assert ca_key not in data
        if b"PRIVATE KEY" in data:
            assert serialization.load_pem_private_key(data, None).private_numbers().private_value != ca_secret


def test_the_ca_is_made_once_and_kept(tmp_path):
    first, _ = load_or_create(tmp_path)
    again, _ = load_or_create(tmp_path)
    assert again.fingerprint(again.signature_hash_algorithm) == first.fingerprint(first.signature_hash_algorithm)


def test_a_loosened_key_file_is_made_private_again(tmp_path):
    load_or_create(tmp_path)
    key_path = ca_paths(tmp_path)[1]
    os.chmod(key_path, 0o644)
    load_or_create(tmp_path)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_a_key_that_does_not_match_the_certificate_means_a_new_ca(tmp_path):
    first, _ = load_or_create(tmp_path)
    other = tmp_path / "other"
    load_or_create(other)
    ca_paths(tmp_path)[1].write_bytes(ca_paths(other)[1].read_bytes())
    replaced, key = load_or_create(tmp_path)
    assert replaced.serial_number != first.serial_number
    assert replaced.public_key().public_numbers() == key.public_key().public_numbers()
