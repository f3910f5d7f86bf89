package dev.unison.connectors.kit.descriptor;

/** Which way data flows between the external system and the hub. */
public enum Direction {
    /** the system's changes come into the hub (webhooks, polling, feeds) */
    INBOUND,
    /** the hub writes canonical changes back to the system's API */
    OUTBOUND
}
