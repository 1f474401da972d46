"""Local Sphinx extensions for the staycore documentation."""
