"""Functions of result tables: metrics and the balanced scorecard (`metrics`), risk verdicts (`risk`), sensitivity indices (`sensitivity`), scenario discovery (`discovery`)."""
