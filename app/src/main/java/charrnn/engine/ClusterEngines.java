package charrnn.engine;

import charrnn.RnnException;
import charrnn.corpus.PreparedCorpus;
import charrnn.model.ModelSpec;
import charrnn.model.Hyperparameters;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Training spread over a cluster ({@code rnn train --spark}): an {@link Engine} whose steps split
 * their windows over a cluster's executors, each computing its share's gradient sums with the fast
 * engine. It lives in the Spark build ({@code charrnn.spark}, Maven profile {@code spark}), found
 * here through {@link ServiceLoader}, so that the default build neither holds nor loads Spark.
 */
public interface ClusterEngines {
    /** What names a master (--spark takes it as its value), accepted or not: local[0] is a master Spark refuses. */
    Pattern MASTER_LIKE = Pattern.compile("local(\\[.*)?|local-cluster.*|(spark|k8s)://.*|yarn");
    /** The masters Spark accepts: local[N] (embedded), a standalone cluster, YARN and Kubernetes. */
    Pattern MASTER = Pattern.compile("local(\\[([1-9]\\d*|\\*)(,\\d+)?])?|local-cluster\\[[1-9]\\d*,[1-9]\\d*,[1-9]\\d*]"
            + "|spark://[^\\s/]+(:\\d+)?(,[^\\s/]+(:\\d+)?)*|yarn|k8s://\\S+");

    /**
     * An engine on {@code master} ("" for spark-submit's master, else local[*]) for {@code net}, whose
     * driver-side work (evaluation, the state of a new run) {@code local} computes. The executors read
     * {@code corpus}'s ids at {@code sharedCorpus} (--spark-corpus: a path every node sees or a Hadoop
     * URI holding a copy of it), or, when it is null, where this process reads them (a local master) or
     * from a copy shipped with the job.
     */
    Engine create(String master, String sharedCorpus, Engine local, MultiLayerNetwork net, ModelSpec spec,
                  Hyperparameters config, PreparedCorpus corpus, Consumer<String> log);

    /**
     * What can be checked of {@code master} before anything is prepared or written: that this build can
     * run on it, and that a standalone master answers; one line and exit 2 or 7 otherwise.
     */
    void check(String master);

    /** The Spark build's engines, or a usage error in a build without them. */
    static ClusterEngines find() {
        return ServiceLoader.load(ClusterEngines.class).findFirst().orElseThrow(() -> RnnException.usage(
                "--spark needs rnn's Spark build: run rnn through app/rnn, which builds it on first use"
                        + " (app/target-spark), or build it with mvn -Pcpu,spark package"));
    }

    /**
     * Checks a --spark-corpus location before anything is prepared: an absolute path (every node's
     * file system) or a URI with a scheme (a Hadoop file system); a relative path would be each
     * executor's own directory.
     */
    static String checkCorpus(String where) {
        if (where.startsWith("/")) {
            return where;
        }
        String hint = "give an absolute path every node sees, or a URI (hdfs://...)";
        try {
            if (new URI(where).getScheme() == null) {
                throw RnnException.usage("--spark-corpus " + where + ": " + hint);
            }
        } catch (URISyntaxException e) {
            throw RnnException.usage("--spark-corpus " + where + ": not a URI (" + e.getReason() + "); " + hint);
        }
        return where;
    }

    /** Checks a master given to --spark: one line naming what Spark accepts. */
    static String checkMaster(String master) {
        if (!master.isEmpty() && !MASTER.matcher(master).matches()) {
            throw RnnException.usage("--spark: '" + master + "' is not a Spark master; give local[N] (N at least 1),"
                    + " spark://HOST:PORT, yarn or k8s://URL (or --spark alone for local[*])");
        }
        return master;
    }
}
