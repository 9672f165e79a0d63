"""Pay plans as pure math: the payout curve (`payout`) and quota-setting policies (`quota`). No Mesa, no randomness."""
