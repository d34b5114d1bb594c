"""Request payloads to bytes: Base64 text, ``data:`` URLs, and (when the server allows them) http(s) URLs.

URL inputs are a server-side request forgery risk, so they are off by default. When on, a URL must be http(s), its
host on the allow-list, and every address the host resolves to public (unless private ones are allowed); redirects
are checked the same way, and downloads stop at a size limit and a timeout.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from ocdr.errors import InputError
from ocdr.io.images import probe_image
from ocdr.io.inputs import PDF_MAGIC
from ocdr.io.pdf import pdf_page_count
from ocdr.server.envelope import ServiceError

_DATA_URL = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?:;[\w.+-]+=[\w.+-]+)*;base64,", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
CHUNK = 64 * 1024
MAX_REDIRECTS = 3
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address


def is_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


def decode_base64(text: str, what: str = "file") -> bytes:
    """Standard Base64 (whitespace and a ``data:...;base64,`` prefix allowed); a clear 422 otherwise."""
    match = _DATA_URL.match(text)
    body = text[match.end() :] if match else text
    body = _WHITESPACE.sub("", body)
    if not body:
        raise ServiceError(422, f"{what} is empty: expected the Base64 of an image or PDF, or a URL")
    try:
        data = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ServiceError(422, f"{what} is neither a URL nor valid Base64") from None
    if not data:
        raise ServiceError(422, f"{what} decodes to no bytes")
    return data


def sniff_kind(data: bytes) -> str:
    """Whether ``data`` is a "pdf" or an "image", told apart as ``iter_pages`` does."""
    return "pdf" if data.startswith(PDF_MAGIC) else "image"


def probe(data: bytes, name: str, max_pixels: int, password: str | None = None) -> str:
    """The kind of ``data`` once its header shows it opens (an encrypted PDF with ``password``) and is within the
    pixel limit (InputError if not): cheap checks done before the request is queued for OCR."""
    kind = sniff_kind(data)
    if kind == "pdf":
        if pdf_page_count(data, name, password) == 0:
            raise InputError(f"{name} has no pages")
    else:
        probe_image(data, name, max_pixels)
    return kind


def url_kind(url: str) -> str | None:
    """Whether a URL names a "pdf" or an "image" (None: cannot tell) by its path's extension, as PaddleX infers
    ``fileType``."""
    path = urlsplit(url).path.lower()
    if path.endswith(".pdf"):
        return "pdf"
    if re.search(r"\.(png|jpe?g|bmp|tiff?|webp|gif|jp2|pbm|pgm|ppm)$", path):
        return "image"
    return None


@dataclass(frozen=True)
class UrlPolicy:
    hosts: tuple[str, ...] = ()  # lower case; "*" any host, "*.example.com" its subdomains
    allow_private: bool = False
    timeout: float = 10.0
    max_bytes: int = 32 * 1024 * 1024

    @property
    def enabled(self) -> bool:
        return bool(self.hosts)

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for allowed in self.hosts:
            if allowed == "*" or allowed == host:
                return True
            if allowed.startswith("*.") and host.endswith(allowed[1:]):
                return True
        return False

    def check(self, url: str) -> None:
        """Refuse (403) a URL this server may not fetch; 422 for one that is not an http(s) URL at all."""
        if not self.enabled:
            raise ServiceError(403, "URL inputs are disabled on this server; send the file as Base64 instead")
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise ServiceError(422, f"malformed URL: {exc}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ServiceError(422, "only http and https URLs with a host are accepted")
        if not self.host_allowed(parts.hostname):
            raise ServiceError(403, f"host {parts.hostname!r} is not on this server's URL allow-list")
        if self.allow_private:
            return
        try:
            infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise ServiceError(422, f"host {parts.hostname!r} cannot be resolved: {exc}") from None
        for info in infos:
            host = info[4][0]
            assert isinstance(host, str)  # an IPv4 or IPv6 address: TCP over IP was asked for
            address = ipaddress.ip_address(host.split("%")[0])
            if not address.is_global or not _embedded_ipv4(address).is_global:
                raise ServiceError(403, f"host {parts.hostname!r} resolves to a non-public address ({address})")

    def fetch(self, url: str) -> bytes:
        """The body of ``url``, after ``check`` (redirects checked too), within ``max_bytes`` and ``timeout``."""
        self.check(url)
        opener = urllib.request.build_opener(_CheckedRedirects(self))
        request = urllib.request.Request(url, headers={"User-Agent": "ocdr", "Accept": "*/*"})
        deadline = time.monotonic() + self.timeout
        try:
            with opener.open(request, timeout=self.timeout) as response:
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    raise ServiceError(413, f"download is {length} bytes, over the limit of {self.max_bytes}")
                chunks, size = [], 0
                while chunk := response.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ServiceError(413, f"download is over the limit of {self.max_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise ServiceError(422, f"download took longer than {self.timeout:g} s")
                    chunks.append(chunk)
        except urllib.error.HTTPError as exc:
            raise ServiceError(422, f"could not download {url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceError(422, f"could not download {url}: {reason}") from None
        data = b"".join(chunks)
        if not data:
            raise ServiceError(422, f"{url} returned no data")
        return data


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow at most ``MAX_REDIRECTS`` redirects, each to a URL the policy allows."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, policy: UrlPolicy):
        super().__init__()
        self.policy = policy

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.policy.check(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def load_file(value: str, policy: UrlPolicy, what: str = "file") -> tuple[bytes, str | None]:
    """The bytes a ``file``/``url`` field names, and the kind its URL implies (None for Base64)."""
    if is_url(value):
        return policy.fetch(value), url_kind(value)
    return decode_base64(value, what), None


def _embedded_ipv4(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64; Python 3.11's ``is_global`` judges the IPv6 form
    alone, so "[64:ff9b::7f00:1]" passed for a public address while it reaches 127.0.0.1), else the address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address
