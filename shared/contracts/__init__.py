"""Message contracts: topic names, the envelope, and one frozen payload model per message type."""
