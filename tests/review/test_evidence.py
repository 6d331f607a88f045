"""Defence evidence: the type comes from the content, limits hold, files are kept by checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kinerja.review.evidence import (
    Limits,
    Upload,
    check_uploads,
    clean_name,
    read_stored,
    sniff,
    store,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64
LIMITS = Limits(max_files=3, max_file_bytes=1000, max_total_bytes=1500)


def test_the_type_comes_from_the_first_bytes_not_the_name() -> None:
    assert sniff(PDF) == ("application/pdf", "pdf")
    assert sniff(PNG) == ("image/png", "png")
    assert sniff(JPEG) == ("image/jpeg", "jpg")
    assert sniff(EXE) is None
    checked, problems = check_uploads([Upload("foto.pdf", PNG)], LIMITS)
    assert problems == [] and checked[0].media_type == "image/png"


def test_an_exe_renamed_pdf_is_refused_naming_the_file() -> None:
    checked, problems = check_uploads(
        [Upload("surat_tugas.pdf", EXE), Upload("ok.pdf", PDF)], LIMITS
    )
    assert [c.filename for c in checked] == ["ok.pdf"]
    assert problems == [
        "berkas surat_tugas.pdf bukan PDF, JPEG atau PNG menurut isinya (nama berkas tidak "
        "menentukan jenisnya); tidak ada yang dicatat"
    ]


def test_limits_per_file_in_total_and_in_number() -> None:
    big = PDF + b"\x00" * 1000
    _, problems = check_uploads([Upload("besar.pdf", big)], LIMITS)
    assert any("besar.pdf melebihi" in p for p in problems)
    _, problems = check_uploads(
        [Upload(f"{i}.pdf", PDF + bytes([i]) * 500) for i in range(3)], LIMITS
    )
    assert any("ukuran seluruh bukti" in p for p in problems)
    _, problems = check_uploads([Upload(f"{i}.png", PNG + bytes([i])) for i in range(4)], LIMITS)
    assert any("paling banyak 3 berkas" in p for p in problems)
    checked, problems = check_uploads([Upload("a.pdf", PDF), Upload("b.pdf", PDF)], LIMITS)
    assert problems == [] and len(checked) == 1  # the same file twice is kept once


def test_a_file_is_stored_once_by_checksum_and_checked_when_read(tmp_path: Path) -> None:
    (file,), _ = check_uploads([Upload("../../etc/passwd.pdf", PDF)], LIMITS)
    assert file.filename == "passwd.pdf"  # no folder from the sender's name
    rel = store(tmp_path, "2025-10", "198001012010010005", file)
    assert rel == f"2025-10/198001012010010005/{hashlib.sha256(PDF).hexdigest()}.pdf"
    assert store(tmp_path, "2025-10", "198001012010010005", file) == rel
    assert read_stored(tmp_path, rel, file.sha256) == PDF
    (tmp_path / rel).write_bytes(PDF + b"x")
    with pytest.raises(ValueError, match="no longer matches"):
        read_stored(tmp_path, rel, file.sha256)
    with pytest.raises(ValueError, match="leaves the evidence folder"):
        read_stored(tmp_path, "../outside.pdf", file.sha256)


def test_names_are_cleaned() -> None:
    assert clean_name("C:\\Users\\x\\Surat Tugas (1).pdf") == "Surat Tugas _1_.pdf"
    assert clean_name("...") == "berkas"
