"""The demo estate: realistic Swedish systems for the bundled programme, at any size."""
