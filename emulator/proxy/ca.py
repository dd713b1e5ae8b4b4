"""The proxy's local certificate authority: generated once into a directory, then a leaf per host.

The CA certificate (`sfmc-emulator-ca.pem`) is what clients trust; its key (`sfmc-emulator-ca.key`, mode
0600) never leaves the directory: only the certificate is served. Leaf certificates are issued on demand
for each host a client CONNECTs to and kept (as ready TLS contexts) for the life of the process; they share
one key pair, which lives in a private temporary directory.

Validity is real wall-clock time, not the emulator's clock: the clients that verify these certificates
compare them with their own system time, whatever time a test has frozen the emulator at.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import ssl
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = logging.getLogger(__name__)

CA_CERT_FILE = "sfmc-emulator-ca.pem"
CA_KEY_FILE = "sfmc-emulator-ca.key"
_LOCK_FILE = ".sfmc-emulator-ca.lock"
CA_DAYS = 3650
LEAF_DAYS = 365  # under the 398 days some TLS stacks accept for a server certificate
_RENEW_BEFORE = dt.timedelta(days=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ca_paths(directory: str | Path) -> tuple[Path, Path]:
    """(certificate, key) file paths of the CA kept in `directory`."""
    directory = Path(directory)
    return directory / CA_CERT_FILE, directory / CA_KEY_FILE


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Two processes starting on one directory (pytest-xdist workers, two `serve`s) make one CA, not two."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; a race there costs a regenerated CA at worst
        yield
        return
    with open(directory / _LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` readable by its owner only, replacing any older file atomically."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _write_public(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _new_ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sfmc-emulator"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "sfmc-emulator local CA")])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def load_or_create(directory: str | Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The CA kept in `directory`, made (and written there) if it is missing, unreadable or expired."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = ca_paths(directory)
    with _locked(directory):
        if cert_path.exists() and key_path.exists():
            try:
                cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
                key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
                if (isinstance(key, ec.EllipticCurvePrivateKey) and cert.not_valid_after_utc > _now() + _RENEW_BEFORE
                        and cert.public_key().public_numbers() == key.public_key().public_numbers()):
                    if key_path.stat().st_mode & 0o077:
                        os.chmod(key_path, 0o600)  # someone loosened it: the key is for this user alone
                    return cert, key
                log.warning("sfmc-emulator: the CA in %s is expired or does not match its key; making a new one",
                            directory)
            except (ValueError, TypeError, OSError) as exc:
                log.warning("sfmc-emulator: cannot read the CA in %s (%s); making a new one", directory, exc)
        cert, key = _new_ca()
        _write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
        _write_public(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        log.info("sfmc-emulator: new local CA in %s", cert_path)
        return cert, key


class CertificateAuthority:
    """Issues and caches the TLS server context for each proxied host."""

    def __init__(self, directory: str | Path) -> None:
        self.cert_path, self.key_path = ca_paths(directory)
        self.cert, self._key = load_or_create(directory)
        self._leaf_key = ec.generate_private_key(ec.SECP256R1())
        self._workdir = Path(tempfile.mkdtemp(prefix="sfmc-emulator-leaf-"))  # mode 0700
        self._leaf_key_path = self._workdir / "leaf.key"
        _write_private(self._leaf_key_path, self._leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self._contexts: dict[str, tuple[ssl.SSLContext, dt.datetime]] = {}
        self._lock = threading.Lock()

    def pem(self) -> bytes:
        """The CA certificate (never the key)."""
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def leaf(self, host: str) -> x509.Certificate:
        """A new certificate for `host`, signed by this CA."""
        now = _now()
        ca_public = self._key.public_key()
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(self.cert.subject).public_key(self._leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._leaf_key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )

    def server_context(self, host: str) -> ssl.SSLContext:
        """A TLS server context presenting `host`'s leaf certificate (made on first use, then cached)."""
        host = host.lower()
        with self._lock:
            cached = self._contexts.get(host)
            if cached is not None and cached[1] > _now() + _RENEW_BEFORE:
                return cached[0]
            cert = self.leaf(host)
            chain = self._workdir / f"{host}.pem"
            chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + self.pem())
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(chain, self._leaf_key_path)
            context.set_alpn_protocols(["http/1.1"])  # clients offering h2 settle on HTTP/1.1
            self._contexts[host] = (context, cert.not_valid_after_utc)
            return context

    def close(self) -> None:
        shutil.rmtree(self._workdir, ignore_errors=True)
