"""开放 Kaifang: a static-site generator for public open-data portals."""

__version__ = "0.1.0"
