package charrnn.cli;

import charrnn.ExitCodes;
import charrnn.RnnException;
import org.nd4j.linalg.api.environment.Nd4jEnvironment;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Loads the ND4J backend the jar was built with, once, before any command touches an array: a
 * CUDA build on a machine without a usable GPU or driver stops here with one clear line (exit 6)
 * instead of a stack trace, and never falls back to the CPU on its own.
 */
final class Backend {
    private Backend() {
    }

    /**
     * "cpu" or "cuda"; throws exit 6 when the backend's native libraries or its device cannot be used.
     * ND4J loads its backend once per JVM; {@code verbose} shows what it printed if that failed.
     */
    @SuppressWarnings("unchecked")
    static synchronized String load(boolean verbose) {
        String requested = System.getProperty("rnn.backend", "cpu");
        // ND4J prints the stack trace of a backend that fails to load straight to System.err: keep
        // it for --verbose and say what it means in one line instead.
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        if (!verbose) {
            System.setErr(new PrintStream(captured, true));
        }
        try {
            String cls = Nd4j.getBackend().getClass().getName();
            String name = cls.toLowerCase().contains("cuda") ? "cuda" : "cpu";
            if (name.equals("cuda")) {
                Properties p = Nd4j.getExecutioner().getEnvironmentInformation();
                Object devices = p.get(Nd4jEnvironment.CUDA_NUM_GPUS_KEY);
                if (devices == null || "0".equals(devices.toString())) {
                    throw noDevice("the CUDA backend loaded but found no CUDA device");
                }
                String unsupported = unsupportedDevice((List<Map<String, Object>>) p.get(
                        Nd4jEnvironment.CUDA_DEVICE_INFORMATION_KEY));
                if (unsupported != null) {
                    throw new RnnException(ExitCodes.NO_DEVICE, unsupported);
                }
            }
            return name;
        } catch (RnnException e) {
            throw e;
        } catch (Throwable t) {
            String why = rootMessage(t);
            if ("cpu".equals(requested)) {
                throw new RnnException(ExitCodes.FAILURE, "cannot load ND4J's CPU backend: " + why, t);
            }
            String cause = captured.toString().lines().filter(l -> l.contains("Error") || l.contains("Exception"))
                    .findFirst().map(l -> l.replaceFirst("^.*?: ", "")).orElse(why);
            throw noDevice("cannot start the CUDA backend (" + cause + ")");
        } finally {
            System.setErr(originalErr);
        }
    }

    /**
     * ND4J's CUDA 11.6 build (1.0.0-M2.1) carries machine code for compute capabilities 3.7 to 8.6
     * and no PTX, and a GPU runs machine code built for its major version and a minor one up to its
     * own: so 3.7 and 5.0 to 8.x run (8.9 runs 8.6's code), 3.5 and 9.0 (Hopper) or newer cannot.
     */
    static boolean supported(int major, int minor) {
        return major == 3 ? minor >= 7 : major >= 5 && major <= 8;
    }

    /** The error line for the first device ND4J lists that cannot run its kernels, or null when all can. */
    static String unsupportedDevice(List<Map<String, Object>> devices) {
        for (int i = 0; devices != null && i < devices.size(); i++) {
            Map<String, Object> d = devices.get(i);
            int major = ((Number) d.get(Nd4jEnvironment.CUDA_DEVICE_MAJOR_VERSION_KEY)).intValue();
            int minor = ((Number) d.get(Nd4jEnvironment.CUDA_DEVICE_MINOR_VERSION_KEY)).intValue();
            if (!supported(major, minor)) {
                return "CUDA device " + i + " (" + d.get(Nd4jEnvironment.CUDA_DEVICE_NAME_KEY) + ", compute capability "
                        + major + "." + minor + ") cannot run ND4J's CUDA 11.6 kernels, built for 3.7 to 8.x; "
                        + (devices.size() > 1 ? "hide it with CUDA_VISIBLE_DEVICES or " : "")
                        + "run the CPU build (RNN_BACKEND=cpu)";
            }
        }
        return null;
    }

    private static RnnException noDevice(String what) {
        return new RnnException(ExitCodes.NO_DEVICE, what + "; the CUDA build needs an NVIDIA GPU and a driver for"
                + " CUDA 11.6 or newer; run the CPU build (RNN_BACKEND=cpu) or let --backend auto choose");
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage();
        return r.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }
}
