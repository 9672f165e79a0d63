"""The world reps sell into, built once per run: products and demand (`market`), the force's composition (`force`), per-rep product tables (`per_rep`)."""
