"""xxgk: government information disclosure annual reports, read exactly, into one warehouse."""

__version__ = "0.1.0"
