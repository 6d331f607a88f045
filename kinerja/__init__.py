"""kinerja: the monthly performance cycle for Indonesian civil servants (ASN)."""

__version__ = "0.1.0"
