"""Loket KTP-el: the service-counter application for a Dukcapil data-access agreement."""

__version__ = "0.1.0"
