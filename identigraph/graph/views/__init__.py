"""Read-only views of a resolved graph's state: outputs, lookups, explanations, reports.

Views never write a table (they may build a lazy index); the facade resolves a
staged load before it hands the state to them.
"""
