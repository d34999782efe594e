"""rtp-eval: gender-equality evaluation of a regional growth programme."""

__version__ = "0.1.0"
