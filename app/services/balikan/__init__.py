"""Data balikan: the outbox of what the agency owes Dukcapil, its sender and exports."""
