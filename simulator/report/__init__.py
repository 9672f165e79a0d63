"""Pictures and pages for people: the plan report of a run or comparison (`plans`) and the sweep report (`sweep`)."""
