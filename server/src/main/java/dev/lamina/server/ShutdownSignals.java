package dev.lamina.server;

/**
 * SIGTERM and SIGINT as a request to stop, so a graceful shutdown ends with exit status 0 (a JVM
 * shutdown hook would run too, but the process would then exit 143). Uses {@code sun.misc.Signal}
 * (module jdk.unsupported), the only JDK way to handle a signal; where it is missing, a shutdown
 * hook does the same work.
 */
final class ShutdownSignals {
    private ShutdownSignals() {}

    static void onTerminate(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> action.run());
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> action.run());
        } catch (IllegalArgumentException | LinkageError e) {
            Runtime.getRuntime().addShutdownHook(new Thread(action));
        }
    }
}
