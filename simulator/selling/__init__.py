"""The sales process: opportunities from effort, deals that close, book and cancel (`pipeline`)."""
