"""Pricing: rate plans, pricing rules, promotions and coupons, and explainable quotes.

Filled in by the pricing issue; the package exists now so that the import contracts
guarding the domain hold from the first commit.
"""
