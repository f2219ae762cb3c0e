package charrnn.cli;

import charrnn.ExitCodes;
import sun.misc.Signal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGINT and SIGTERM: the first asks the running command to stop cleanly (finish the step, write
 * a checkpoint, exit 130); a second one exits at once. Checkpoint files are renamed into place
 * atomically, so even that leaves the previous checkpoint intact.
 */
final class Signals {
    private Signals() {
    }

    static void onInterrupt(Runnable firstSignal) {
        AtomicInteger count = new AtomicInteger();
        for (String name : new String[]{"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), s -> {
                    if (count.incrementAndGet() == 1) {
                        firstSignal.run();
                    } else {
                        Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
                    }
                });
            } catch (IllegalArgumentException e) {
                // signal not available on this platform (or reserved by the JVM): keep the default
            }
        }
    }
}
