"""Misconduct in the world: the act ledger, complaints, audits and sanctions (`oversight`); the ethical climate, norms and check-ins (`climate`)."""
