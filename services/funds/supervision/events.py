"""What supervision publishes (docs/EVENTS.md, funds section); inspection turns it into findings."""

from services.funds import events as contracts

ANOMALY_DETECTED = contracts.AnomalyDetected.type
