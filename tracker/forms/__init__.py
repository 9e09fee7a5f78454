"""WTForms classes for the tracker's pages."""
