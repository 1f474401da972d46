"""Availability: nightly inventory calendars, restrictions, holds and appointment slots.

Filled in by the availability issue; the package exists now so that the import
contracts guarding the domain hold from the first commit.
"""
