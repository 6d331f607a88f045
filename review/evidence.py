"""Defence evidence: PDF, JPEG or PNG told apart by their content, limited, stored by checksum.

Files live under the evidence folder (`KINERJA_EVIDENCE_DIR`, default `<var_dir>/evidence`),
which no web server serves: the portal streams a file only to the review's decider and to BKD,
through their own links. A file's name is never trusted: the type comes from its first bytes,
and it is stored as `<period>/<nip>/<sha256>.<ext>`.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from kinerja.settings import Settings, get_settings

# (media type, extension, magic bytes at offset 0)
SIGNATURES = (
    ("application/pdf", "pdf", b"%PDF-"),
    ("image/jpeg", "jpg", b"\xff\xd8\xff"),
    ("image/png", "png", b"\x89PNG\r\n\x1a\n"),
)
ALLOWED = "PDF, JPEG atau PNG"
_UNSAFE = re.compile(r"[^0-9A-Za-z._ -]+")


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the sender gave it and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Checked:
    """A file that passed the checks, with what its content says it is."""

    filename: str
    media_type: str
    extension: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_file_bytes: int
    max_total_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Limits:
        s = settings or get_settings()
        mb = 1024 * 1024
        per_file, total = int(s.evidence_max_file_mb * mb), int(s.evidence_max_total_mb * mb)
        return cls(s.evidence_max_files, per_file, total)


def evidence_root(settings: Settings | None = None) -> Path:
    s = settings or get_settings()
    return Path(s.evidence_dir) if s.evidence_dir else Path(s.var_dir) / "evidence"


def sniff(data: bytes) -> tuple[str, str] | None:
    """(media type, extension) from the content's first bytes, or None if not allowed."""
    for media, ext, magic in SIGNATURES:
        if data.startswith(magic):
            return media, ext
    return None


def clean_name(filename: str) -> str:
    """The sender's file name without any folder and with only harmless characters."""
    base = Path(filename.replace("\\", "/")).name
    return (_UNSAFE.sub("_", base).strip(" .") or "berkas")[:120]


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def check_uploads(uploads: list[Upload], limits: Limits) -> tuple[list[Checked], list[str]]:
    """The files that may be kept, and the problems (Indonesian) that refuse the submission."""
    problems: list[str] = []
    files = [u for u in uploads if u.data or u.filename]
    if len(files) > limits.max_files:
        problems.append(f"paling banyak {limits.max_files} berkas bukti per pembelaan")
    total = sum(len(u.data) for u in files)
    if total > limits.max_total_bytes:
        problems.append(f"ukuran seluruh bukti {_mb(total)} melebihi {_mb(limits.max_total_bytes)}")
    checked: list[Checked] = []
    for u in files:
        name = clean_name(u.filename)
        if not u.data:
            problems.append(f"berkas {name} kosong")
            continue
        if len(u.data) > limits.max_file_bytes:
            problems.append(f"berkas {name} melebihi {_mb(limits.max_file_bytes)}")
            continue
        kind = sniff(u.data)
        if kind is None:
            problems.append(
                f"berkas {name} bukan {ALLOWED} menurut isinya (nama berkas tidak menentukan "
                "jenisnya); tidak ada yang dicatat"
            )
            continue
        digest = hashlib.sha256(u.data).hexdigest()
        if any(c.sha256 == digest for c in checked):
            continue  # the same file twice: kept once
        checked.append(Checked(name, kind[0], kind[1], u.data, digest))
    return checked, problems


def relative_path(period: str, nip: str, file: Checked) -> str:
    return f"{period}/{nip}/{file.sha256}.{file.extension}"


def store(root: Path, period: str, nip: str, file: Checked) -> str:
    """Write the file once (by checksum, atomically, mode 0600); returns its relative path."""
    rel = relative_path(period, nip, file)
    path = root / rel
    if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == file.sha256:
        return rel
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(file.data)
    os.replace(tmp, path)
    return rel


def read_stored(root: Path, stored_as: str, sha256: str) -> bytes:
    """A stored file's bytes, checked against the checksum recorded when it arrived."""
    path = (root / stored_as).resolve()
    if root.resolve() not in path.parents:
        raise ValueError(f"evidence path {stored_as!r} leaves the evidence folder")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"evidence {stored_as} no longer matches its recorded SHA-256")
    return data
