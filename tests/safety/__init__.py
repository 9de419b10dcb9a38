"""The adversarial screening suite: conversations, driver, judge and report (issue 11)."""
