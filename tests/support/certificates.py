"""Helpers for certificate tests: reading a PDF's text and its QR code with poppler and zxing."""

import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The text `pdftotext` extracts from the PDF."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """What the QR codes on the PDF's first page say, rasterised at 150 dpi."""
    path = tmp_path / "scanned.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(path), str(prefix)], check=True
    )
    (page,) = sorted(tmp_path.glob("page*.png"))
    return [found.text for found in zxingcpp.read_barcodes(Image.open(page))]


def pdf_tool(tool: str, pdf: bytes, tmp_path: Path) -> str:
    """What a poppler tool (`pdfinfo`, `pdffonts`) says of the PDF."""
    path = tmp_path / "inspected.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, str(path)], capture_output=True, check=True, text=True).stdout
