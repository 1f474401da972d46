"""Orders: the order aggregate, its lifecycle, payment schedules, cancellation and refunds.

Filled in by the orders issue; the package exists now so that the import contracts
guarding the domain hold from the first commit.
"""
