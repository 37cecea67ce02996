"""ClinicWatch crawler: a Scrapy project plus the extraction, classification and storage it feeds."""
