package dev.unison.connectors.kit.spi;

/** The id of this hub process among several on one database: host name and process id. */
public final class InstanceId {

    public static final String OF_THIS_PROCESS = host() + "/" + ProcessHandle.current().pid();

    private InstanceId() {
    }

    private static String host() {
        String fromEnvironment = System.getenv("HOSTNAME"); // containers set it; no DNS lookup needed
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException unknown) {
            return "unknown-host";
        }
    }
}
