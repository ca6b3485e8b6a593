"""What supervision publishes (docs/EVENTS.md, funds section); inspection turns it into findings."""

ANOMALY_DETECTED = "funds.anomaly.detected.v1"
