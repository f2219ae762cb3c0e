package charrnn.cli;

import charrnn.corpus.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "env", description = "The backend, device, BLAS, threads and versions in use: paste it into a bug report.")
public final class EnvCommand implements Callable<Integer> {
    private static final String[] THREAD_VARS = {"OMP_NUM_THREADS", "ND4J_SKIP_BLAS_THREADS", "OPENBLAS_NUM_THREADS",
            "OMP_WAIT_POLICY", "CUDA_VISIBLE_DEVICES", "RNN_BACKEND", "RNN_JAVA_OPTS"};

    @Spec
    CommandSpec spec;
    @Mixin
    Verbosity verbosity;

    @Option(names = "--json", description = "Print everything as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        String backend = Backend.load(verbosity.verbose());
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        Map<String, Object> info = new TreeMap<>();
        info.put("rnn", new Main.Version().getVersion()[0]);
        info.put("backend", backend);
        info.put("nd4jBackendClass", Nd4j.getBackend().getClass().getName());
        info.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        info.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        info.put("cpuCores", Runtime.getRuntime().availableProcessors());
        info.put("maxHeapMB", Runtime.getRuntime().maxMemory() >> 20);
        // what the launcher gave the JVM (its defaults, or RNN_JAVA_OPTS), as the JVM saw it
        info.put("javaOptions", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        info.put("dl4j", "1.0.0-M2.1");
        for (String k : env.stringPropertyNames()) {
            info.put("nd4j." + k, env.getProperty(k));
        }
        for (Map.Entry<Object, Object> e : env.entrySet()) {
            info.putIfAbsent("nd4j." + e.getKey(), String.valueOf(e.getValue()));
        }
        info.put("nd4j.maxThreads", Nd4j.getEnvironment().maxThreads());
        Map<String, String> vars = new TreeMap<>();
        for (String v : THREAD_VARS) {
            vars.put(v, System.getenv(v) == null ? "(unset)" : System.getenv(v));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.COMPACT.valueToTree(info);
            o.set("environment", Json.COMPACT.valueToTree(vars));
            JsonOutput.print(spec, o);
        } else {
            info.forEach((k, v) -> out.printf("%-28s %s%n", k, v));
            vars.forEach((k, v) -> out.printf("%-28s %s%n", k, v));
        }
        out.flush();
        return 0;
    }
}
