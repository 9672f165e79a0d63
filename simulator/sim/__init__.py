"""Running one world day by day: rep state (`state`), the array engine (`engine`), recording (`recording`), and the Mesa face (`model`, `rep`)."""
