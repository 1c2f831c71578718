"""reportgen: council committee reports, bids and packs built from YAML."""

__version__ = "0.1.0"
