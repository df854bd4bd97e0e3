"""Worked example: CRM + web + point of sale into golden customer profiles.

Run it with ``python docs/examples/golden_profiles.py``.
"""

from __future__ import annotations

import identigraph as ig

# 1. Three silos of one synthetic population (the data set ships ground truth too).
sources, truth = ig.datasets.customers(n_persons=2_000, seed=7)
crm, web, pos = sources["crm"], sources["web"], sources["pos"]

# 2. Say which columns are identifiers; values of one kind link across sources.
graph = ig.IdentityGraph(
    [
        ig.Email("email"),
        ig.Phone("phone", region="US"),
        ig.Cookie("cookie_id"),
        ig.Key("loyalty_card"),
    ]
)
graph.add(crm, source="crm", id="customer_id")
graph.add(web, source="web", id="event_id")
graph.add(pos, source="pos", id="transaction_id")

# 3. One golden record per person: each field chosen by a business rule.
golden = graph.golden(
    rules={
        "first_name": ig.SourcePriority(["crm", "pos", "web"]).then(ig.MostFrequent()),
        "last_name": ig.SourcePriority(["crm"]).then(ig.MostFrequent()),
        "email": ig.MostRecent(by="updated_at", normalized=True),
        "phones": ig.Collect("phone", unique=True, limit=3),
        "lifetime_value": ig.Sum("order_total"),
        "orders": ig.Count("order_total"),
        "last_seen": ig.Max("seen_at"),
    },
    default=None,  # leave out columns without a rule
)

if __name__ == "__main__":
    print(f"{len(graph):,} records -> {len(golden):,} golden profiles")
    print(golden.filter(regex="^(person_id|first_name|last_name|lifetime_value|orders)$").head())
    # Provenance: where each chosen value came from.
    print(golden[["person_id", "first_name", "first_name__source", "first_name__record_id"]].head())
