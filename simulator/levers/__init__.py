"""Optional levers of the plan and of practice, each one module: activity pay and targets, SPIFs and product quotas, contests, team bonuses, draws, quota resets, product launches, training."""
