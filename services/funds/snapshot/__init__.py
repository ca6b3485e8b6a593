"""Funds' snapshot for provincial platforms: accounts with their balances, plans, disbursements."""
