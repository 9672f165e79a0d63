"""The designer's search for a better plan (`salesim optimise`): the problem (`problem.py`), Optuna's
study on the runner's executors (`search.py`), the files and the printed front (`output.py`) and the
report's figures (`report.py`)."""
