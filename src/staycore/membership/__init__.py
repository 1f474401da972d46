"""Membership: customer profiles and tags, loyalty tiers, points, RFM, churn and lifetime value.

Filled in by the membership and analytics issues; the package exists now so that the
import contracts guarding the domain hold from the first commit.
"""
