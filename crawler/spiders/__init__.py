"""Scrapy spiders of the ClinicWatch project."""
