"""Each mechanism's tests, every class inheriting the contract of ``tests/contract.py``."""
